// The conversation list (unread counts, last message, muted mark), its "Archived" view, one's own
// settings of a conversation (muted, archived: SAMA `conversation_settings_update`) and the live
// changes to it. Whatever changes a conversation is announced with a `conversation-changed` event
// on `document` (detail: its id) for the parts of the page that show it.

import { noteUnreadChanged, notifyMessage } from "./notifications.js";
import { conversationTitle, loadParticipants, state } from "./store.js";
import { $, el, formatTime } from "./util.js";

// Stored notices of membership changes: the participants (and the owner) changed.
const MEMBERSHIP_NOTICES = new Set(["added_participant", "removed_participant", "left_participants"]);

let openConversation = () => {};
let closeConversation = () => {};
let showingArchived = false;
let emptyText = "";

export function initConversations({ open, close }) {
  openConversation = open;
  closeConversation = close;
  emptyText = $("no-conversations").textContent;
  const toggle = el("button", {
    type: "button",
    id: "archived-toggle",
    class: "archived-toggle",
    "aria-pressed": "false",
    "aria-controls": "conversation-list",
    hidden: true,
    onclick: () => showArchived(!showingArchived),
  });
  $("sidebar").querySelector(".sidebar-head").after(el("div", { class: "list-switch" }, toggle));
}

/** Show the archived conversations (or the others) in the list. */
function showArchived(archived) {
  showingArchived = archived;
  renderConversationList();
}

function announce(cid) {
  document.dispatchEvent(new CustomEvent("conversation-changed", { detail: { cid: String(cid) } }));
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
  announce(cid);
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
  if (MEMBERSHIP_NOTICES.has(last.x?.type)) return text; // "Rita has been added to the group"
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
    { dataset: { cid }, class: conversation.muted ? "muted" : "" },
    el(
      "button",
      {
        type: "button",
        class: "conversation-item",
        "aria-current": cid === state.currentCid ? "true" : false,
        onclick: () => openConversation(cid),
      },
      el(
        "span",
        { class: "conversation-name" },
        el("span", { class: "conversation-title" }, conversationTitle(conversation)),
        conversation.muted ? mutedMark() : null,
      ),
      el("span", { class: "conversation-time" }, last?.t ? formatTime(last.t * 1000) : ""),
      el("span", { class: "conversation-preview" }, preview(conversation)),
      unreadBadge(conversation.unread_messages_count || 0),
    ),
  );
}

/** The muted mark: an icon (conversations.css draws it), read out as "muted" after the name. */
function mutedMark() {
  return el("span", { class: "muted-mark", title: "Muted" }, el("span", { class: "visually-hidden" }, ", muted"));
}

function renderArchivedToggle(archived) {
  const toggle = $("archived-toggle");
  const unread = archived.reduce((sum, c) => sum + (c.muted ? 0 : c.unread_messages_count || 0), 0);
  toggle.textContent = `Archived (${archived.length}${unread ? `, ${unread} unread` : ""})`;
  toggle.setAttribute("aria-pressed", String(showingArchived));
  toggle.hidden = !archived.length && !showingArchived;
}

export function renderConversationList() {
  const list = $("conversation-list");
  const focused = document.activeElement?.closest?.("#conversation-list li")?.dataset.cid;
  const all = [...state.conversations.values()].sort((a, b) => activityMs(b) - activityMs(a));
  const archived = all.filter((c) => c.archived);
  if (showingArchived && !archived.length) {
    // The last one was unarchived: back to the other conversations.
    showingArchived = false;
    if (document.activeElement === $("archived-toggle")) $("conversations-heading").focus();
  }
  const items = showingArchived ? archived : all.filter((c) => !c.archived);
  list.replaceChildren(...items.map(conversationItem));
  list.setAttribute("aria-label", showingArchived ? "Archived conversations" : "Conversations");
  renderArchivedToggle(archived);
  const empty = $("no-conversations");
  empty.hidden = items.length > 0;
  if (archived.length && !items.length) empty.textContent = "Nothing here: your conversations are archived.";
  else empty.textContent = emptyText;
  if (focused) list.querySelector(`li[data-cid="${CSS.escape(focused)}"] button`)?.focus();
  noteUnreadChanged();
}

/** Add or replace a conversation known from a response or a system message. */
export function upsertConversation(conversation, participants) {
  const cid = String(conversation._id);
  const known = state.conversations.get(cid) || {};
  state.conversations.set(cid, { ...known, ...conversation });
  if (participants) state.participants.set(cid, participants.map(String));
  renderConversationList();
  announce(cid);
}

/** The user is no longer in this conversation (left it, or was removed from it). */
export function forgetConversation(cid) {
  cid = String(cid);
  state.conversations.delete(cid);
  state.participants.delete(cid);
  if (state.currentCid === cid) closeConversation();
  renderConversationList();
  announce(cid);
}

/** conversation_settings_update: mute or archive a conversation for oneself (`{muted?, archived?}`). */
export async function updateSettings(cid, settings) {
  await state.socket.request("conversation_settings_update", { cid: String(cid), ...settings });
  const conversation = state.conversations.get(String(cid));
  if (conversation) Object.assign(conversation, settings);
  renderConversationList();
  announce(cid);
}

/** A message was sent or received: it becomes the conversation's last message. */
export async function noteMessage(message, { unread }) {
  const cid = String(message.cid);
  let conversation = state.conversations.get(cid);
  if (!conversation || MEMBERSHIP_NOTICES.has(message.x?.type)) {
    // The server's answer already counts this message (and knows who takes part now).
    conversation = await refreshConversation(cid);
  } else {
    conversation.last_message = {
      _id: message._id, body: message.body, from: message.from, t: message.t, x: message.x,
      attachments: message.attachments,
    };
    if (unread) conversation.unread_messages_count = (conversation.unread_messages_count || 0) + 1;
    renderConversationList();
  }
  // Right after the list shows it (the sender is known: chat.js asked for them first).
  const fromSomeoneElse = message.from && String(message.from) !== String(state.me?._id);
  if (conversation && fromSomeoneElse && !MEMBERSHIP_NOTICES.has(message.x?.type)) notifyMessage(message, conversation);
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
  if (x.conversation_kicked) forgetConversation(x.conversation_kicked._id);
}
