// The open conversation: opening and closing it, live messages, edits, deletes, read marks,
// typing and the other person's online status. The list itself is thread.js, the message box
// composer.js, files uploads.js, replies replies.js and reactions reactions.js.

import { initComposer, resend, sendAgain, unsentItems } from "./composer.js";
import { markConversationRead, noteDelete, noteEdit, noteMessage, renderConversationList } from "./conversations.js";
import { isMine, messageItem, setBody, setMessageActions, setStatus } from "./messages.js";
import { cancelReply, initReplies, noteQuotedDelete, noteQuotedEdit, resolveQuotes, startReply } from "./replies.js";
import { conversationTitle, displayName, ensureUsers, isPrivate, opponentId, state } from "./store.js";
import {
  appendItem, currentView, endView, fillScreen, itemById, layout, list, loadOlder, nearBottom, scrolledNearTop,
  scroller, scrollToMessage, startView,
} from "./thread.js";
import { clearUploads, initUploads } from "./uploads.js";
import { $, formatLastSeen } from "./util.js";

export { onAck, onSendError } from "./composer.js";
export { scrollToMessage } from "./thread.js";

const TYPING_SHOWN_MS = 5000;

let watchedUid = null; // whose online status this connection is subscribed to
const typingTimers = new Map(); // user id -> timeout

export function initChat() {
  initComposer();
  initUploads();
  initReplies({ show: scrollToMessage });
  scroller().addEventListener("scroll", () => {
    if (currentView() && scrolledNearTop()) loadOlder();
  });
  $("load-older-button").addEventListener("click", () => loadOlder());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && currentView()) markRead();
  });
  setMessageActions({ edit: editMessage, remove: deleteMessage, retry: resend, reply: replyTo });
  setInterval(() => {
    renderHeader(); // "last seen 5 minutes ago" keeps counting
    if (currentView()) layout(); // and "Today" becomes "Yesterday" at midnight
  }, 30_000);
}

/** Show a conversation: its newest page of history, then older pages on scroll. `reload` reads
 * the history again when the conversation is already open. */
export async function openChat(cid, { reload = false } = {}) {
  cid = String(cid);
  const conversation = state.conversations.get(cid);
  if (!conversation) return;
  document.body.dataset.view = "chat";
  if (currentView()?.cid === cid && !reload) {
    $("composer-input").focus();
    return;
  }
  if (currentView()?.cid !== cid) {
    cancelReply();
    clearUploads();
  }
  const view = startView(cid);
  for (const timer of typingTimers.values()) clearTimeout(timer);
  typingTimers.clear();
  state.currentCid = cid;
  $("chat-empty").hidden = true;
  $("chat-open").hidden = false;
  $("typing-indicator").textContent = "";
  renderHeader();
  renderConversationList();
  $("composer-input").focus();
  await loadOlder();
  if (currentView() !== view) return;
  markRead();
  watchPresence(conversation);
  await fillScreen();
}

export function closeChat() {
  endView();
  cancelReply();
  clearUploads();
  state.currentCid = null;
  document.body.dataset.view = "list";
  $("chat-open").hidden = true;
  $("chat-empty").hidden = false;
  renderConversationList();
}

/** Open again after a reconnect: history may have moved on while the socket was down. Messages
 * not acknowledged yet are sent again with the same id (the server stores a message once per id). */
export async function reopenChat() {
  const view = currentView();
  if (!view) return;
  const unsent = unsentItems();
  await openChat(view.cid, { reload: true });
  sendAgain(unsent);
}

export function renderHeader() {
  const view = currentView();
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

// --- live events ---------------------------------------------------------------------------------

/** A message from someone else (or from one's own other device). */
export async function onMessage(message) {
  await ensureUsers([message.from]);
  const view = currentView();
  const open = view && String(message.cid) === view.cid;
  const unread = !isMine(message) && !(open && document.visibilityState === "visible");
  await noteMessage(message, { unread });
  if (!open || currentView() !== view || itemById(message._id)) return;
  const follow = nearBottom();
  appendItem(messageItem(message, { status: "sent" }), { follow });
  clearTyping(message.from);
  if (message.replied_message_id) resolveQuotes(view.cid);
  if (!isMine(message) && document.visibilityState === "visible") markRead([message._id]);
}

export function onEdit(edit) {
  noteEdit(edit);
  noteQuotedEdit(edit.id, edit.body);
  const li = itemById(edit.id);
  if (li) setBody(li, edit.body, { edited: true });
}

export function onDelete(deletion) {
  noteDelete(deletion);
  noteQuotedDelete(deletion.ids);
  const view = currentView();
  if (!view || String(deletion.cid) !== view.cid) return;
  for (const id of deletion.ids) itemById(id)?.remove();
  layout();
}

/** Someone read one's messages: those and every earlier one of one's own are read. */
export function onRead(read) {
  const view = currentView();
  if (!view || String(read.cid) !== view.cid) return;
  const upTo = Math.max(...read.ids.map(Number));
  view.readUpTo = Math.max(view.readUpTo, upTo);
  for (const li of list().querySelectorAll("li.mine[data-id]")) {
    if (li.dataset.id && Number(li.dataset.id) <= view.readUpTo) setStatus(li, "read");
  }
}

export function onTyping(typing) {
  const view = currentView();
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

// --- requests on messages ------------------------------------------------------------------------

function markRead(ids) {
  const view = currentView();
  if (!view || document.visibilityState !== "visible") return;
  const params = ids ? { cid: view.cid, ids: ids.map(String) } : { cid: view.cid };
  markConversationRead(view.cid);
  state.socket.request("message_read", params).catch(() => {});
}

function replyTo(li) {
  const body = li.querySelector(".message-body")?.textContent || "";
  startReply({ _id: li.dataset.id, from: li.dataset.from, body });
}

async function editMessage(li, body) {
  await state.socket.request("message_edit", { id: li.dataset.id, body });
  noteEdit({ id: li.dataset.id, body });
  noteQuotedEdit(li.dataset.id, body);
}

function nextMessage(li) {
  for (const step of ["nextElementSibling", "previousElementSibling"]) {
    let node = li[step];
    while (node && !node.classList.contains("message")) node = node[step];
    if (node) return node;
  }
  return null;
}

async function deleteMessage(li) {
  const cid = currentView().cid;
  await state.socket.request("message_delete", { cid, ids: [li.dataset.id], type: "all" });
  const next = nextMessage(li);
  li.remove();
  layout();
  noteDelete({ cid, ids: [li.dataset.id] });
  noteQuotedDelete([li.dataset.id]);
  (next?.querySelector("button") || $("composer-input")).focus();
}

/** Subscribe to the other person's online status (one subscription at a time); a server without
 * user_last_activity_subscribe answers "Unknown request", and the page then stops asking. */
async function watchPresence(conversation) {
  if (!currentView() || !state.presenceSupported) return;
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
