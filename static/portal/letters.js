// Letters: read the ones released to you; write, revise, send or withdraw your own.

import { h } from "/shared/h.js";
import { button, card, empty, errorBox, field, paragraphs, submitting, twoStep } from "/shared/ui.js";
import { newKey } from "/shared/api.js";
import { words } from "./words.js";

/** Every API call of this screen (its list, `letters`, is loaded with the others at sign-in). */
export function calls(api) {
  return {
    create: (body) => api.call("POST", "/portal/letters", body, { "idempotency-key": newKey() }),
    update: (l, body) => api.call("PATCH", `/portal/letters/${l.id}`, body, { "if-match": `"${l.version}"` }),
    submit: (l) => api.call("POST", `/portal/letters/${l.id}/submit`),
    withdraw: (l) => api.call("POST", `/portal/letters/${l.id}/withdraw`),
  };
}

/** `shows`: {letters (of the selected couple), couple (its id, or null)}; `ctx`: {time, calls, act}. */
export function draw(shows, ctx) {
  const { time } = ctx;
  const written = shows.letters.filter((l) => l.direction === "written");
  const received = shows.letters.filter((l) => l.direction === "received");
  return [
    h("p", { class: "lead", text: "Letters are written over several drafts. Only you see a draft. When you send it, your counselor reads it first, and shares it with your partner when the time is right." }),
    h("h2", { text: "Letters to you" }),
    received.length ? received.map((l) => card(h("h3", { text: l.title }),
      h("p", { class: "meta", text: `${words.letterKind[l.kind] || "Letter"} from your partner · shared by your counselor on ${time.on(l.released_at)}` }),
      paragraphs(l.body, "letter"))) : empty("No letters have been shared with you yet."),
    h("h2", { text: "Your letters" }),
    shows.couple ? newLetter(shows.couple, ctx) : empty("Your counselor hasn't set up your shared space yet, so there is nowhere to send a letter."),
    written.length ? written.map((l) => letter(l, ctx)) : empty("You haven't written a letter yet."),
  ];
}

function letterFields(l) {
  const title = field("Title", { name: "title", required: true, maxlength: 200, value: l ? l.title : null });
  const body = field("Your letter", { tag: "textarea", name: "body", required: true, maxlength: 50000, rows: 12 },
    "Only you can see it until you send it to your counselor.");
  if (l) body.input.value = l.body;
  return { title, body };
}

function newLetter(couple, { calls, act }) {
  const kind = field("What kind of letter is it?", { tag: "select", name: "kind", required: true });
  for (const [value, label] of [["impact", "An impact letter: how what happened has affected you"],
    ["accountability", "An accountability letter: taking responsibility for what you did"],
    ["response", "A response letter: answering a letter you received"], ["other", "Something else you want to say"]]) {
    kind.input.append(h("option", { value }, label));
  }
  const { title, body } = letterFields(null);
  const err = errorBox();
  const form = h("form", { class: "stack", id: "new-letter" }, kind.wrap, title.wrap, body.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Save as a draft"));
  submitting(form, "Saving…", () => act(err, () => calls.create(
    { couple_id: couple, kind: kind.input.value, title: title.input.value, body: body.input.value }),
  ["letters"], { labels: { title: "Title", body: "Your letter", kind: "Kind" } }, "Your draft is saved. Only you can see it."));
  return h("details", { class: "inline-form" }, h("summary", {}, "Write a new letter"), form);
}

function letter(l, { time, calls, act }) {
  const err = errorBox();
  const editable = l.status === "draft" || l.status === "returned";
  const parts = [
    h("h3", { text: l.title }),
    h("p", { class: "status", text: `${words.letterKind[l.kind] || "Letter"} · ${words.letterStatus[l.status] || l.status}` }),
    l.status === "returned" && l.counselor_comment ? h("div", { class: "comment" }, h("h4", { text: "A note from your counselor" }), paragraphs(l.counselor_comment)) : null,
    h("details", {}, h("summary", {}, "Read the letter"), paragraphs(l.body, "letter")),
    l.submitted_at && l.status === "submitted" ? h("p", { class: "meta", text: `Sent to your counselor on ${time.on(l.submitted_at)}. They will read it before anything is shared.` }) : null,
    l.released_at ? h("p", { class: "meta", text: `Shared with your partner on ${time.on(l.released_at)}.` }) : null,
  ];
  if (editable) {
    const { title, body } = letterFields(l);
    const editErr = errorBox();
    const form = h("form", { class: "stack" }, title.wrap, body.wrap, editErr, h("button", { type: "submit", class: "button" }, "Save changes"));
    submitting(form, "Saving…", () => act(editErr, () => calls.update(l, { title: title.input.value, body: body.input.value }),
      ["letters"], { labels: { title: "Title", body: "Your letter" } }, "Your changes are saved."));
    parts.push(h("details", { class: "inline-form" }, h("summary", {}, "Edit"), form));
  }
  const actions = h("div", { class: "actions" });
  if (editable) {
    actions.append(button(l.status === "returned" ? "Send it again to my counselor" : "Send to my counselor",
      () => act(err, () => calls.submit(l), ["letters"], {},
        "Your letter is with your counselor now. Your partner won't see it until your counselor shares it."), "primary"));
  }
  if (l.status !== "released" && l.status !== "withdrawn") {
    actions.append(twoStep("Withdraw this letter", "Yes, withdraw it. This can't be undone.",
      () => act(err, () => calls.withdraw(l), ["letters"], {}, "The letter is withdrawn.")));
  }
  if (actions.childElementCount) parts.push(actions);
  parts.push(err);
  return card(...parts);
}
