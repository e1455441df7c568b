// The element builder of Mend's front ends (/portal and /app).
//
// It only ever makes elements and text nodes: a string becomes a text node or a textContent,
// never markup. Nothing here (or in any front end of Mend) parses text as HTML: no innerHTML,
// no insertAdjacentHTML, no document.write, no eval. The pages' Content-Security-Policy says
// `require-trusted-types-for 'script'`, so the browser refuses any HTML string sink anyway.

let nextId = 0;

/** A fresh element id: `uid("f")` is "f-1", then "f-2"... */
export const uid = (prefix) => `${prefix}-${++nextId}`;

/**
 * `h("p", { class: "meta", text: "Hello" })`, `h("a", { href }, "text", child, [more])`.
 * `class` sets className, `text` sets textContent, `onclick` (any `on…` function) adds a listener,
 * `true` makes an empty attribute; null, undefined and false are left out. Children may be nested
 * arrays; strings and numbers become text nodes.
 */
export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

/** Replaces the children of `parent` (arrays flattened; null, undefined and false left out). */
export function put(parent, ...kids) {
  parent.replaceChildren(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false));
}
