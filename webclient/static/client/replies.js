// Replies: the bar above the message box while answering a message, and the quote a reply shows of
// the message it answers (a click goes to it). Messages not on the page are loaded with
// message_list's `ids`; the ones it leaves out are no longer there and quote as deleted.

import { snippet } from "./message_text.js";
import { displayName, ensureUsers, state } from "./store.js";
import { $, el } from "./util.js";

const IDS_PER_REQUEST = 100; // message_list's limit for `ids`

const known = new Map(); // message id -> {from, body, attachments}, or null: gone
let replyingTo = null; // {id, from, body, attachments} while the message box answers a message
let showMessage = () => {};
let bar = null;

function summary(message) {
  return { from: message.from, body: message.body || "", attachments: message.attachments || [] };
}

/** Learn a message shown or loaded, so replies to it can quote it. */
export function rememberMessage(message) {
  if (message?._id) known.set(String(message._id), summary(message));
}

function who(uid) {
  return String(uid) === String(state.me?._id) ? "You" : displayName(uid);
}

function fillQuote(button) {
  const id = button.dataset.replyTo;
  if (!known.has(id)) {
    button.replaceChildren(el("span", { class: "reply-quote-text" }, "Loading the message this answers…"));
    return;
  }
  const source = known.get(id);
  button.replaceChildren(
    el("span", { class: "visually-hidden" }, "In reply to "),
    source ? el("span", { class: "reply-quote-sender" }, who(source.from)) : null,
    source ? el("span", { class: "visually-hidden" }, ": ") : null,
    el("span", { class: "reply-quote-text" }, snippet(source)),
  );
  button.disabled = !source; // nothing to go to
  button.title = source ? "Show the message this answers" : "";
}

function refreshQuotes(ids = null) {
  for (const button of document.querySelectorAll("#message-list .reply-quote")) {
    if (!ids || ids.has(button.dataset.replyTo)) fillQuote(button);
  }
}

/** The quote at the top of a reply. */
export function quoteNode(repliedId) {
  const id = String(repliedId);
  const button = el("button", { type: "button", class: "reply-quote", dataset: { replyTo: id } });
  button.addEventListener("click", () => showMessage(id));
  fillQuote(button);
  return button;
}

/** Load the messages that quotes on the page answer and the page has not seen (one request per 100). */
export async function resolveQuotes(cid) {
  const buttons = document.querySelectorAll("#message-list .reply-quote");
  const missing = [...new Set([...buttons].map((b) => b.dataset.replyTo))].filter((id) => !known.has(id));
  for (let start = 0; start < missing.length; start += IDS_PER_REQUEST) {
    const ids = missing.slice(start, start + IDS_PER_REQUEST);
    try {
      const response = await state.socket.request("message_list", { cid, ids, limit: ids.length });
      const messages = response.messages || [];
      for (const message of messages) rememberMessage(message);
      for (const id of ids) if (!known.has(id)) known.set(id, null);
      await ensureUsers(messages.map((m) => m.from).filter(Boolean));
    } catch {
      continue; // the quotes keep saying "Loading"; the next page or reopening asks again
    }
  }
  refreshQuotes(new Set(missing));
}

/** A message's text changed, or it is gone: the quotes of it follow. */
export function noteQuotedEdit(id, body) {
  const source = known.get(String(id));
  if (source) source.body = body;
  refreshQuotes(new Set([String(id)]));
  if (replyingTo && String(replyingTo.id) === String(id)) renderBar();
}

export function noteQuotedDelete(ids) {
  for (const id of ids) known.set(String(id), null);
  refreshQuotes(new Set(ids.map(String)));
  if (replyingTo && ids.map(String).includes(String(replyingTo.id))) cancelReply();
}

// --- the reply bar -------------------------------------------------------------------------------

function renderBar() {
  const input = $("composer-input");
  if (!replyingTo) {
    bar.hidden = true;
    input.setAttribute("aria-describedby", "composer-hint");
    return;
  }
  bar.querySelector(".reply-bar-sender").textContent = who(replyingTo.from);
  bar.querySelector(".reply-bar-text").textContent = snippet(known.get(replyingTo.id) || replyingTo);
  bar.hidden = false;
  input.setAttribute("aria-describedby", "reply-bar-label composer-hint");
}

/** Answer a message: the bar shows it and the message box takes the focus. */
export function startReply(message) {
  const id = String(message._id);
  if (!known.get(id)) rememberMessage(message);
  replyingTo = { id, ...known.get(id) };
  renderBar();
  $("composer-input").focus();
}

export function cancelReply({ focus = false } = {}) {
  replyingTo = null;
  if (bar) renderBar();
  if (focus) $("composer-input").focus();
}

export const isReplying = () => replyingTo !== null;

/** The id of the message the one being sent answers (the bar closes). */
export function takeReply() {
  const id = replyingTo?.id || null;
  cancelReply();
  return id;
}

export function initReplies({ show }) {
  showMessage = show;
  bar = el(
    "div",
    { id: "reply-bar", class: "reply-bar", hidden: true },
    el(
      "p",
      { id: "reply-bar-label", class: "reply-bar-label" },
      "Replying to ",
      el("strong", { class: "reply-bar-sender" }),
      el("span", { class: "visually-hidden" }, ": "),
      el("span", { class: "reply-bar-text" }),
    ),
    el(
      "button",
      { type: "button", class: "link-button reply-cancel", "aria-label": "Cancel reply", title: "Cancel reply" },
      el("span", { "aria-hidden": "true" }, "×"),
    ),
  );
  bar.querySelector(".reply-cancel").addEventListener("click", () => cancelReply({ focus: true }));
  $("composer").before(bar);
}
