// Small building blocks shared by Mend's front ends: labelled fields, radio groups, buttons,
// error boxes, cards and paragraphs of text. All of them are made with `h` (text only).
// Class names (field, hint, choices, choice, button, form-error, card, prose, empty, two-step)
// are styled by each page's own style sheet.

import { h, uid } from "./h.js";

/** A labelled input (or `attrs.tag`: "textarea", "select"); returns {wrap, input}. */
export function field(label, attrs, hint) {
  const id = uid("f");
  const hintId = hint ? uid("hint") : null;
  const input = h(attrs.tag || "input", { ...attrs, tag: null, id, "aria-describedby": hintId });
  const wrap = h("div", { class: "field" },
    h("label", { for: id, text: label }),
    hint ? h("p", { class: "hint", id: hintId, text: hint }) : null,
    input);
  return { wrap, input };
}

/** A group of radio buttons, `options` of {value, label, detail?, checked?, required?}; returns {wrap, value()}. */
export function radios(legend, name, options, hint) {
  const hintId = hint ? uid("hint") : null;
  const inputs = [];
  const wrap = h("fieldset", { class: "choices", "aria-describedby": hintId },
    h("legend", { text: legend }),
    hint ? h("p", { class: "hint", id: hintId, text: hint }) : null,
    options.map((o) => {
      const id = uid("r");
      const input = h("input", { type: "radio", name, id, value: o.value, checked: o.checked, required: o.required });
      inputs.push(input);
      return h("div", { class: "choice" }, input,
        h("label", { for: id }, o.label, o.detail ? h("span", { class: "detail", text: o.detail }) : null));
    }));
  return { wrap, value: () => (inputs.find((i) => i.checked) || {}).value };
}

export function button(text, onclick, cls) {
  return h("button", { type: "button", class: `button ${cls || ""}`.trim(), onclick }, text);
}

/** The place a form's error goes (hidden until `showError`). */
export function errorBox() {
  return h("div", { class: "form-error", role: "alert", tabindex: "-1", hidden: true });
}

/** Shows `message` (a sentence, or a list of them) in `box` and moves focus there. */
export function showError(box, message) {
  box.replaceChildren(...(Array.isArray(message) ? message.map((m) => h("p", { text: m })) : [h("p", { text: message })]));
  box.hidden = false;
  box.focus();
}

/** Runs `work` on submit, with the submit button disabled and saying `busyText` meanwhile. */
export function submitting(form, busyText, work) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    if (submit.disabled) return;
    const label = submit.textContent;
    submit.disabled = true;
    submit.textContent = busyText;
    try {
      await work();
    } finally {
      submit.disabled = false;
      submit.textContent = label;
    }
  });
}

/** A button that asks once more before it acts. */
export function twoStep(first, confirm, action) {
  const wrap = h("span", { class: "two-step" });
  const ask = button(first, () => {
    const yes = button(confirm, action, "danger");
    const no = button("No, keep it", () => {
      wrap.replaceChildren(ask);
      ask.focus();
    });
    wrap.replaceChildren(yes, no);
    yes.focus();
  }, "quiet");
  wrap.append(ask);
  return wrap;
}

export function card(...kids) {
  return h("article", { class: "card" }, ...kids);
}

/** Text with blank lines between paragraphs, as paragraphs (each one text only). */
export function paragraphs(text, cls) {
  return h("div", { class: `prose ${cls || ""}`.trim() }, String(text).split(/\n{2,}/).map((p) => h("p", { text: p })));
}

export const empty = (text) => h("p", { class: "empty", text });
