// The conversation list (unread counts, last message) and the live changes to it.

import { conversationTitle, loadParticipants, state } from "./store.js";
import { $, el, formatTime } from "./util.js";

let openConversation = () => {};
let closeConversation = () => {};

export function initConversations({ open, close }) {
  openConversation = open;
  closeConversation = close;
}

/** conversation_list: the newest 100 conversations with their unread counts and last messages. */
export async function loadConversations() {
  const response = await state.socket.request("conversation_list", { limit: 100 });
  state.conversations.clear();
  for (const conversation of response.conversations || []) state.conversations.set(String(conversation._id), conversation);
  await loadParticipants([...state.conversations.keys()]);
  renderConversationList();
}

/** One conversation again from the server (after a change the page cannot work out by itself). */
export async function refreshConversation(cid) {
  const response = await state.socket.request("conversation_list", { ids: [String(cid)] });
  const conversation = (response.conversations || [])[0];
  if (!conversation) return null;
  state.conversations.set(String(cid), conversation);
  await loadParticipants([String(cid)]);
  renderConversationList();
  return conversation;
}

function activityMs(conversation) {
  if (conversation.last_message?.t) return conversation.last_message.t * 1000;
  return Date.parse(conversation.updated_at || conversation.created_at || 0) || 0;
}

function preview(conversation) {
  const last = conversation.last_message;
  if (!last) return "No messages yet";
  const text = last.body || (last.attachments?.length ? "Attachment" : "");
  return String(last.from) === String(state.me?._id) ? `You: ${text}` : text;
}

function unreadBadge(count) {
  if (!count) return null;
  const label = `${count} unread message${count === 1 ? "" : "s"}`;
  return el(
    "span",
    { class: "unread-badge", dataset: { unread: count } },
    el("span", { class: "unread-count", "aria-hidden": "true" }, count > 99 ? "99+" : count),
    el("span", { class: "visually-hidden" }, label),
  );
}

function conversationItem(conversation) {
  const cid = String(conversation._id);
  const last = conversation.last_message;
  return el(
    "li",
    { dataset: { cid } },
    el(
      "button",
      {
        type: "button",
        class: "conversation-item",
        "aria-current": cid === state.currentCid ? "true" : false,
        onclick: () => openConversation(cid),
      },
      el("span", { class: "conversation-name" }, conversationTitle(conversation)),
      el("span", { class: "conversation-time" }, last?.t ? formatTime(last.t * 1000) : ""),
      el("span", { class: "conversation-preview" }, preview(conversation)),
      unreadBadge(conversation.unread_messages_count || 0),
    ),
  );
}

export function renderConversationList() {
  const list = $("conversation-list");
  const focused = document.activeElement?.closest?.("#conversation-list li")?.dataset.cid;
  const items = [...state.conversations.values()].sort((a, b) => activityMs(b) - activityMs(a));
  list.replaceChildren(...items.map(conversationItem));
  $("no-conversations").hidden = items.length > 0;
  if (focused) list.querySelector(`li[data-cid="${CSS.escape(focused)}"] button`)?.focus();
}

/** Add or replace a conversation known from a response or a system message. */
export function upsertConversation(conversation, participants) {
  const cid = String(conversation._id);
  const known = state.conversations.get(cid) || {};
  state.conversations.set(cid, { ...known, ...conversation });
  if (participants) state.participants.set(cid, participants.map(String));
  renderConversationList();
}

/** A message was sent or received: it becomes the conversation's last message. */
export async function noteMessage(message, { unread }) {
  const cid = String(message.cid);
  const conversation = state.conversations.get(cid);
  if (!conversation) {
    await refreshConversation(cid); // the server's answer already counts this message
    return;
  }
  conversation.last_message = {
    _id: message._id, body: message.body, from: message.from, t: message.t, attachments: message.attachments,
  };
  if (unread) conversation.unread_messages_count = (conversation.unread_messages_count || 0) + 1;
  renderConversationList();
}

export function markConversationRead(cid) {
  const conversation = state.conversations.get(String(cid));
  if (conversation?.unread_messages_count) {
    conversation.unread_messages_count = 0;
    renderConversationList();
  }
}

/** message_edit: the preview follows when the last message changed. */
export function noteEdit(edit) {
  for (const conversation of state.conversations.values()) {
    if (conversation.last_message && String(conversation.last_message._id) === String(edit.id)) {
      conversation.last_message.body = edit.body;
      renderConversationList();
    }
  }
}

/** message_delete: when the last message went, ask the server for the new last one. */
export function noteDelete(deletion) {
  const conversation = state.conversations.get(String(deletion.cid));
  const last = conversation?.last_message;
  if (last && deletion.ids.map(String).includes(String(last._id))) refreshConversation(deletion.cid).catch(() => {});
}

/** system_message: conversation_created / conversation_updated / conversation_kicked. */
export function onSystemMessage(notice) {
  const x = notice.x || {};
  const changed = x.conversation_created || x.conversation_updated;
  if (changed) {
    upsertConversation(changed, changed.participants);
    return;
  }
  if (x.conversation_kicked) {
    const cid = String(x.conversation_kicked._id);
    state.conversations.delete(cid);
    state.participants.delete(cid);
    if (state.currentCid === cid) closeConversation();
    renderConversationList();
  }
}
