// Finding messages: a dialog that searches the open conversation or all of them (SAMA
// `message_search`, an extension of this server's); a result opens its conversation at the message.

import { scrollToMessage } from "./chat.js";
import { refreshConversation } from "./conversations.js";
import { conversationTitle, displayName, ensureUsers, state } from "./store.js";
import { $, el, formatTime, messageMs } from "./util.js";

const RESULTS_MAX = 50;
const TYPING_PAUSE_MS = 300;
const EXCERPT_CHARS = 140;
const EXCERPT_LEAD = 40;

let openConversation = async () => {};
let asked = 0; // the newest search: answers to older ones are dropped
let typingTimer = null;

/** `open(cid)` opens a conversation (the router's navigation). */
export function initSearch({ open }) {
  openConversation = open;
  $("search-button").addEventListener("click", openDialog);
  $("search-close").addEventListener("click", () => $("search-dialog").close());
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typingTimer);
    search();
  });
  $("search-input").addEventListener("input", () => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(search, TYPING_PAUSE_MS);
  });
  $("search-input").addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault(); // closes the dialog, instead of only emptying the search field
    $("search-dialog").close();
  });
  $("search-form").addEventListener("change", (event) => {
    if (event.target.name === "scope") search();
  });
}

/** Open the dialog on the open conversation (when there is one); the last words stay. */
function openDialog() {
  const cid = state.currentCid;
  const conversation = cid && state.conversations.get(cid);
  $("search-here").closest("label").hidden = !conversation;
  $("search-here-name").textContent = conversation ? conversationTitle(conversation) : "";
  (conversation ? $("search-here") : $("search-all")).checked = true;
  $("search-dialog").showModal();
  $("search-input").select();
  search();
}

async function search() {
  const keyword = $("search-input").value.trim();
  const status = $("search-status");
  const results = $("search-results");
  const mine = ++asked;
  if (!keyword) {
    results.replaceChildren();
    status.textContent = "";
    return;
  }
  const params = { keyword, limit: RESULTS_MAX };
  const here = $("search-here").checked && state.currentCid;
  if (here) params.cids = [here];
  status.textContent = "Searching…";
  let messages;
  try {
    messages = (await state.socket.request("message_search", params)).messages || [];
    await ensureUsers(messages.map((m) => m.from).filter(Boolean));
    const unknown = new Set(messages.map((m) => String(m.cid)).filter((c) => !state.conversations.has(c)));
    await Promise.all([...unknown].map((c) => refreshConversation(c).catch(() => null)));
  } catch (error) {
    if (mine === asked) status.textContent = `Search failed: ${error.message}`;
    return;
  }
  if (mine !== asked) return;
  results.replaceChildren(...messages.map((m) => resultItem(m, keyword)));
  const count = `${messages.length} message${messages.length === 1 ? "" : "s"} found`;
  if (!messages.length) status.textContent = "No messages found.";
  else status.textContent = messages.length >= RESULTS_MAX ? `${count} (the newest ones).` : `${count}.`;
}

function resultItem(message, keyword) {
  const conversation = state.conversations.get(String(message.cid));
  const who = String(message.from) === String(state.me?._id) ? "You" : displayName(message.from);
  const ms = messageMs(message);
  return el(
    "li",
    {},
    el(
      "button",
      { type: "button", class: "search-result", onclick: () => openResult(message) },
      el("span", { class: "search-result-title" }, conversation ? conversationTitle(conversation) : "Conversation"),
      el("time", { class: "search-result-time", datetime: new Date(ms).toISOString() }, formatTime(ms)),
      el("span", { class: "search-result-text" }, `${who}: `, ...marked(excerpt(message.body || "", keyword), keyword)),
    ),
  );
}

async function openResult(message) {
  $("search-dialog").close();
  await openConversation(String(message.cid));
  await scrollToMessage(String(message._id));
}

/** A long text cut around its first match. */
function excerpt(text, keyword) {
  if (text.length <= EXCERPT_CHARS) return text;
  const at = text.toLowerCase().indexOf(keyword.toLowerCase());
  const start = Math.max(0, Math.min(at - EXCERPT_LEAD, text.length - EXCERPT_CHARS));
  const end = start + EXCERPT_CHARS;
  return `${start > 0 ? "…" : ""}${text.slice(start, end)}${end < text.length ? "…" : ""}`;
}

/** The text with each match of the keyword (in any case) in a <mark>; text is never parsed as HTML. */
function marked(text, keyword) {
  const lower = text.toLowerCase();
  const needle = keyword.toLowerCase();
  if (lower.length !== text.length || !needle) return [text]; // case folding moved the letters
  const parts = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + needle.length)) {
    if (at > from) parts.push(text.slice(from, at));
    parts.push(el("mark", {}, text.slice(at, at + needle.length)));
    from = at + needle.length;
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

/** Signed out: nothing of the last search stays for the next person. */
export function resetSearch() {
  asked += 1;
  clearTimeout(typingTimer);
  $("search-dialog").close();
  $("search-input").value = "";
  $("search-results").replaceChildren();
  $("search-status").textContent = "";
}
