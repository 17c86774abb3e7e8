// The open conversation: history (scrolling back loads older messages), sending, live messages,
// edits, deletes, read marks, typing and the other person's online status.

import { markConversationRead, noteDelete, noteEdit, noteMessage, renderConversationList } from "./conversations.js";
import { confirmSent, isMine, messageItem, setBody, setMessageActions, setStatus } from "./messages.js";
import { conversationTitle, displayName, ensureUsers, isPrivate, opponentId, state } from "./store.js";
import { $, formatLastSeen, throttle, uuid } from "./util.js";

const PAGE_SIZE = 30;
const TYPING_SHOWN_MS = 5000;
const NEAR_EDGE_PX = 80;

let view = null; // {cid, hasMore, loading, readUpTo}
let watchedUid = null; // whose online status this connection is subscribed to
const typingTimers = new Map(); // user id -> timeout
const unacknowledged = new Map(); // client id -> the message's list item (shown or not)

const list = () => $("message-list");
const scroller = () => $("message-scroller");
const itemById = (id) => list().querySelector(`li[data-id="${CSS.escape(String(id))}"]`);
const nearBottom = () => scroller().scrollHeight - scroller().scrollTop - scroller().clientHeight < NEAR_EDGE_PX;
const scrollToBottom = () => {
  scroller().scrollTop = scroller().scrollHeight;
};

export function initChat() {
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    sendFromComposer();
  });
  const input = $("composer-input");
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendFromComposer();
    }
  });
  const typing = throttle(() => {
    if (view && state.socket.isOpen) state.socket.send({ typing: { cid: view.cid } });
  }, 2500);
  input.addEventListener("input", () => {
    autosize(input);
    if (input.value.trim()) typing();
  });
  scroller().addEventListener("scroll", () => {
    if (view && scroller().scrollTop < NEAR_EDGE_PX) loadOlder();
  });
  $("load-older-button").addEventListener("click", () => loadOlder());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && view) markRead();
  });
  setMessageActions({ edit: editMessage, remove: deleteMessage, retry: resend });
  setInterval(renderHeader, 30_000); // "last seen 5 minutes ago" keeps counting
}

function autosize(input) {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

/** Show a conversation: its newest page of history, then older pages on scroll. `reload` reads
 * the history again when the conversation is already open. */
export async function openChat(cid, { reload = false } = {}) {
  cid = String(cid);
  const conversation = state.conversations.get(cid);
  if (!conversation) return;
  document.body.dataset.view = "chat";
  if (view?.cid === cid && !reload) {
    $("composer-input").focus();
    return;
  }
  view = { cid, hasMore: true, loading: false, readUpTo: 0 };
  for (const timer of typingTimers.values()) clearTimeout(timer);
  typingTimers.clear();
  state.currentCid = cid;
  $("chat-empty").hidden = true;
  $("chat-open").hidden = false;
  list().replaceChildren();
  $("typing-indicator").textContent = "";
  $("history-status").textContent = "";
  $("load-older-button").hidden = true;
  renderHeader();
  renderConversationList();
  $("composer-input").focus();
  await loadOlder();
  markRead();
  watchPresence(conversation);
}

export function closeChat() {
  view = null;
  state.currentCid = null;
  document.body.dataset.view = "list";
  $("chat-open").hidden = true;
  $("chat-empty").hidden = false;
  renderConversationList();
}

/** Open again after a reconnect: history may have moved on while the socket was down. Messages
 * not acknowledged yet are sent again with the same id (the server stores a message once per id). */
export async function reopenChat() {
  if (!view) return;
  const unsent = [...list().querySelectorAll("li[data-client-id][data-id='']")];
  await openChat(view.cid, { reload: true });
  for (const li of unsent) {
    list().append(li);
    transmit(li);
  }
}

export function renderHeader() {
  if (!view) return;
  const conversation = state.conversations.get(view.cid);
  if (!conversation) return;
  $("chat-title").textContent = conversationTitle(conversation);
  const subtitle = $("chat-subtitle");
  if (isPrivate(conversation)) {
    const seen = state.presence.get(opponentId(conversation));
    const value = typeof seen?.value === "number" ? Math.max(0, Math.floor(Date.now() / 1000) - seen.value) : seen?.value;
    subtitle.textContent = value === undefined ? "" : formatLastSeen(value);
    subtitle.dataset.presence = value === "online" ? "online" : value === undefined ? "unknown" : "offline";
  } else {
    const count = (state.participants.get(view.cid) || []).length;
    subtitle.textContent = count ? `${count} participants` : "";
    delete subtitle.dataset.presence;
  }
}

// --- history -------------------------------------------------------------------------------------

async function loadOlder() {
  const current = view;
  if (!current || current.loading || !current.hasMore) return;
  current.loading = true;
  const status = $("history-status");
  status.textContent = "Loading messages…";
  const first = list().querySelector("li[data-id]:not([data-id=''])");
  const params = { cid: current.cid, limit: PAGE_SIZE };
  // `lt` one millisecond past the oldest shown message: messages in that same millisecond are
  // not skipped, and the ones already shown are dropped below.
  if (first) params.updated_at = { lt: Number(first.dataset.ms) + 1 };
  let messages;
  try {
    messages = (await state.socket.request("message_list", params)).messages || [];
  } catch (error) {
    current.loading = false;
    if (view === current) status.textContent = `Could not load messages: ${error.message}`;
    return;
  }
  if (view !== current) return;
  await ensureUsers(messages.map((m) => m.from).filter(Boolean));
  const fresh = messages.filter((m) => !itemById(m._id));
  current.hasMore = messages.length >= PAGE_SIZE && fresh.length > 0;
  const initial = !first;
  const before = scroller().scrollHeight - scroller().scrollTop;
  const items = fresh.reverse().map((m) => messageItem(m, { status: m.status === "read" ? "read" : "sent" }));
  const log = $("message-log");
  log.setAttribute("aria-busy", "true"); // history is not news: keep the live region quiet
  list().prepend(...items);
  if (initial) scrollToBottom();
  else scroller().scrollTop = scroller().scrollHeight - before;
  status.textContent = current.hasMore ? "" : "This is the beginning of the conversation.";
  $("load-older-button").hidden = !current.hasMore;
  requestAnimationFrame(() => log.removeAttribute("aria-busy"));
  current.loading = false;
  // Keep loading until there is something to scroll (or nothing older).
  if (current.hasMore && scroller().scrollHeight <= scroller().clientHeight + NEAR_EDGE_PX) await loadOlder();
}

// --- sending -------------------------------------------------------------------------------------

function sendFromComposer() {
  const input = $("composer-input");
  const body = input.value.trim();
  if (!view || !body) return;
  input.value = "";
  autosize(input);
  const clientId = uuid();
  const message = { _id: "", from: state.me._id, body, cid: view.cid, t: Math.floor(Date.now() / 1000) };
  const li = messageItem(message, { status: "pending", clientId });
  li.dataset.body = body;
  li.dataset.cid = view.cid;
  list().append(li);
  scrollToBottom();
  transmit(li);
}

function transmit(li) {
  unacknowledged.set(li.dataset.clientId, li);
  setStatus(li, "pending");
  try {
    state.socket.send({ message: { id: li.dataset.clientId, body: li.dataset.body, cid: li.dataset.cid } });
  } catch {
    setStatus(li, "failed");
  }
}

function resend(li) {
  transmit(li);
}

/** `ack` for one of this connection's messages. */
export function onAck(ack) {
  const li = unacknowledged.get(String(ack.mid));
  if (!li) return;
  unacknowledged.delete(String(ack.mid));
  if (li.isConnected && itemById(ack.server_mid)) {
    li.remove(); // sent again after a reconnect, and already in the reloaded history
    return;
  }
  confirmSent(li, ack.server_mid, ack.t);
  if (view && li.isConnected && Number(ack.server_mid) <= view.readUpTo) setStatus(li, "read");
  noteMessage(
    { _id: ack.server_mid, body: li.dataset.body, from: state.me._id, t: ack.t, cid: li.dataset.cid, attachments: [] },
    { unread: false },
  );
}

/** `{message: {id, error}}`: a send failed. */
export function onSendError(failure) {
  const li = unacknowledged.get(String(failure.id));
  unacknowledged.delete(String(failure.id));
  if (li) {
    setStatus(li, "failed");
    li.querySelector(".message-status").title = failure.error?.message || "Not sent";
  }
}

// --- live events ---------------------------------------------------------------------------------

/** A message from someone else (or from one's own other device). */
export async function onMessage(message) {
  await ensureUsers([message.from]);
  const open = view && String(message.cid) === view.cid;
  const unread = !isMine(message) && !(open && document.visibilityState === "visible");
  await noteMessage(message, { unread });
  if (!open || itemById(message._id)) return;
  const follow = nearBottom();
  list().append(messageItem(message, { status: "sent" }));
  clearTyping(message.from);
  if (follow) scrollToBottom();
  if (!isMine(message) && document.visibilityState === "visible") markRead([message._id]);
}

export function onEdit(edit) {
  noteEdit(edit);
  const li = itemById(edit.id);
  if (li) setBody(li, edit.body, { edited: true });
}

export function onDelete(deletion) {
  noteDelete(deletion);
  if (!view || String(deletion.cid) !== view.cid) return;
  for (const id of deletion.ids) itemById(id)?.remove();
}

/** Someone read one's messages: those and every earlier one of one's own are read. */
export function onRead(read) {
  if (!view || String(read.cid) !== view.cid) return;
  const upTo = Math.max(...read.ids.map(Number));
  view.readUpTo = Math.max(view.readUpTo, upTo);
  for (const li of list().querySelectorAll("li.mine[data-id]")) {
    if (li.dataset.id && Number(li.dataset.id) <= view.readUpTo) setStatus(li, "read");
  }
}

export function onTyping(typing) {
  if (!view || String(typing.cid) !== view.cid || String(typing.from) === String(state.me._id)) return;
  const uid = String(typing.from);
  clearTimeout(typingTimers.get(uid));
  typingTimers.set(uid, setTimeout(() => clearTyping(uid), TYPING_SHOWN_MS));
  renderTyping();
  ensureUsers([uid]).then(renderTyping);
}

function clearTyping(uid) {
  clearTimeout(typingTimers.get(String(uid)));
  if (typingTimers.delete(String(uid))) renderTyping();
}

function renderTyping() {
  const names = [...typingTimers.keys()].map((uid) => displayName(uid));
  const text = names.length === 1 ? `${names[0]} is typing…` : names.length ? `${names.join(", ")} are typing…` : "";
  $("typing-indicator").textContent = text;
}

/** `{last_activity: {<uid>: "online" | last seen, in Unix seconds}}`, one user per frame. */
export function onLastActivity(activity) {
  for (const [uid, value] of Object.entries(activity || {})) state.presence.set(String(uid), { value, at: Date.now() });
  renderHeader();
}

// --- requests on one's own messages ---------------------------------------------------------------

function markRead(ids) {
  if (!view || document.visibilityState !== "visible") return;
  const params = ids ? { cid: view.cid, ids: ids.map(String) } : { cid: view.cid };
  markConversationRead(view.cid);
  state.socket.request("message_read", params).catch(() => {});
}

async function editMessage(li, body) {
  await state.socket.request("message_edit", { id: li.dataset.id, body });
  noteEdit({ id: li.dataset.id, body });
}

async function deleteMessage(li) {
  const cid = view.cid;
  await state.socket.request("message_delete", { cid, ids: [li.dataset.id], type: "all" });
  const next = li.nextElementSibling || li.previousElementSibling;
  li.remove();
  noteDelete({ cid, ids: [li.dataset.id] });
  (next?.querySelector("button") || $("composer-input")).focus();
}

/** Subscribe to the other person's online status (one subscription at a time); a server without
 * user_last_activity_subscribe answers "Unknown request", and the page then stops asking. */
async function watchPresence(conversation) {
  if (!view || !state.presenceSupported) return;
  const uid = isPrivate(conversation) ? opponentId(conversation) : null;
  if (watchedUid && watchedUid !== uid) {
    state.socket.request("user_last_activity_unsubscribe", { id: watchedUid }).catch(() => {});
  }
  watchedUid = uid;
  if (!uid) return;
  try {
    const response = await state.socket.request("user_last_activity_subscribe", { id: uid });
    onLastActivity(response.last_activity);
  } catch (error) {
    if (/unknown request/i.test(error.message)) {
      state.presenceSupported = false;
      watchedUid = null;
      document.body.dataset.presence = "unavailable";
    }
  }
}

// --- finding a message (minimal; the messages work brings the full version) ----------------------

/** Scroll the open conversation to a message, loading older history until it is there, and
 * focus it; answers whether it was found. */
export async function scrollToMessage(messageId) {
  const current = view;
  for (let pages = 0; current && view === current && !itemById(messageId) && current.hasMore && pages < 100; pages++) {
    if (current.loading) await new Promise((resolve) => setTimeout(resolve, 50));
    else await loadOlder();
  }
  const li = view === current ? itemById(messageId) : null;
  if (!li) return false;
  li.tabIndex = -1;
  li.scrollIntoView({ block: "center" });
  li.focus({ preventScroll: true });
  return true;
}
