// The open conversation's message list: which conversation it is, adding messages to it (in
// order, under their day), loading older pages, and going to one message.

import { announce } from "./announce.js";
import { messageItem } from "./messages.js";
import { resolveQuotes } from "./replies.js";
import { ensureUsers, state } from "./store.js";
import { $ } from "./util.js";
import { layoutThread } from "./timeline.js";

const PAGE_SIZE = 30;
const SEEK_PAGE_SIZE = 100; // larger pages while going back to one message (message_list's limit)
const NEAR_EDGE_PX = 80;
const HIGHLIGHT_MS = 2500;

let view = null; // {cid, hasMore, loading (a promise while a page loads), readUpTo}

export const currentView = () => view;
export const list = () => $("message-list");
export const scroller = () => $("message-scroller");
export const itemById = (id) => list().querySelector(`li[data-id="${CSS.escape(String(id))}"]`);
export const nearBottom = () => scroller().scrollHeight - scroller().scrollTop - scroller().clientHeight < NEAR_EDGE_PX;
export const scrollToBottom = () => {
  scroller().scrollTop = scroller().scrollHeight;
};

/** A fresh, empty list for a conversation. */
export function startView(cid) {
  view = { cid, hasMore: true, loading: null, readUpTo: 0 };
  list().replaceChildren();
  $("history-status").textContent = "";
  $("load-older-button").hidden = true;
  return view;
}

export function endView() {
  view = null;
}

export function layout() {
  layoutThread(list());
}

/** Add a message item at the end, keeping the newest in sight if it was. */
export function appendItem(li, { follow = nearBottom() } = {}) {
  list().append(li);
  layout();
  if (follow) scrollToBottom();
}

/** Load the page before the oldest message shown (one at a time; the same promise while loading). */
export function loadOlder({ limit = PAGE_SIZE } = {}) {
  const current = view;
  if (!current || !current.hasMore) return Promise.resolve();
  current.loading ??= loadPage(current, limit).finally(() => {
    current.loading = null;
  });
  return current.loading;
}

async function loadPage(current, limit) {
  const status = $("history-status");
  status.textContent = "Loading messages…";
  const first = list().querySelector("li[data-id]:not([data-id=''])");
  const params = { cid: current.cid, limit };
  // `lt` one millisecond past the oldest shown message: messages in that same millisecond are
  // not skipped, and the ones already shown are dropped below.
  if (first) params.updated_at = { lt: Number(first.dataset.ms) + 1 };
  let messages;
  try {
    messages = (await state.socket.request("message_list", params)).messages || [];
  } catch (error) {
    if (view === current) status.textContent = `Could not load messages: ${error.message}`;
    return;
  }
  if (view !== current) return;
  await ensureUsers(messages.map((m) => m.from).filter(Boolean));
  if (view !== current) return;
  const fresh = messages.filter((m) => !itemById(m._id));
  current.hasMore = messages.length >= limit && fresh.length > 0;
  const initial = !first;
  const before = scroller().scrollHeight - scroller().scrollTop;
  const items = fresh.reverse().map((m) => messageItem(m, { status: m.status === "read" ? "read" : "sent" }));
  const log = $("message-log");
  log.setAttribute("aria-busy", "true"); // history is not news: keep the live region quiet
  list().prepend(...items);
  layout();
  if (initial) scrollToBottom();
  else scroller().scrollTop = scroller().scrollHeight - before;
  status.textContent = current.hasMore ? "" : "This is the beginning of the conversation.";
  $("load-older-button").hidden = !current.hasMore;
  requestAnimationFrame(() => log.removeAttribute("aria-busy"));
  resolveQuotes(current.cid);
}

/** Load older pages until there is something to scroll (or nothing older). */
export async function fillScreen() {
  while (view?.hasMore && scroller().scrollHeight <= scroller().clientHeight + NEAR_EDGE_PX) {
    const current = view;
    await loadOlder();
    if (view !== current) return;
  }
}

export function scrolledNearTop() {
  return scroller().scrollTop < NEAR_EDGE_PX;
}

function highlight(li) {
  li.classList.add("highlighted");
  li.tabIndex = -1;
  li.focus({ preventScroll: true });
  setTimeout(() => li.classList.remove("highlighted"), HIGHLIGHT_MS);
  li.addEventListener("blur", () => li.removeAttribute("tabindex"), { once: true });
}

/**
 * Scroll the open conversation to a message, loading older history until it is there, and
 * highlight it briefly (it also takes the focus, so a screen reader reads it). Resolves with
 * true when it is shown, false when it is not in the open conversation (or no longer there).
 * @param {string|number} messageId the message's `_id`
 * @returns {Promise<boolean>}
 */
export async function scrollToMessage(messageId) {
  const current = view;
  if (!current) return false;
  const id = String(messageId);
  if (current.loading) await current.loading;
  if (!itemById(id)) {
    // One look first, so a message of another conversation, or a deleted one, loads no history.
    let found = [];
    try {
      found = (await state.socket.request("message_list", { cid: current.cid, ids: [id], limit: 1 })).messages || [];
    } catch {
      found = [];
    }
    if (!found.length) {
      if (view === current) announce("That message is not in this conversation any more.");
      return false;
    }
    while (view === current && !itemById(id) && current.hasMore) await loadOlder({ limit: SEEK_PAGE_SIZE });
  }
  const li = view === current ? itemById(id) : null;
  if (!li) return false;
  // At once, not smoothly: a page loading while a smooth scroll runs would stop it short.
  li.scrollIntoView({ block: "center" });
  highlight(li);
  return true;
}
