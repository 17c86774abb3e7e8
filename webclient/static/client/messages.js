// One message in the open conversation: how it looks (sender, avatar, quote, text with links,
// attachments, time, read mark, reactions), and what can be done with it: reply, react, and edit or
// delete one's own.

import { attachmentsNode } from "./attachments.js";
import { avatar } from "./avatars.js";
import { textWithLinks } from "./message_text.js";
import { setReactions, showPicker } from "./reactions.js";
import { quoteNode, rememberMessage } from "./replies.js";
import { displayName, isPrivate, rememberUsers, state } from "./store.js";
import { el, messageMs } from "./util.js";

const NOTICES = {
  added_participant: (name) => `${name} has been added to the group`,
  removed_participant: (name) => `${name} has been removed from the group`,
  left_participants: (name) => `${name} has left the group`,
};
const STATUS_TEXT = { pending: "Sending", sent: "Sent", read: "Read", failed: "Not sent" };
const STATUS_MARK = { pending: "…", sent: "✓", read: "✓✓", failed: "!" };

let actions = { edit: async () => {}, remove: async () => {}, retry: () => {}, reply: () => {} };

export function setMessageActions(handlers) {
  actions = { ...actions, ...handlers };
}

export function isMine(message) {
  return String(message.from) === String(state.me?._id);
}

export function isSystem(message) {
  return !message.from || Object.hasOwn(NOTICES, message.x?.type);
}

/** A membership notice in words, with the person's name as this page knows it (not their login). */
function noticeText(message) {
  const user = message.x?.user;
  const notice = NOTICES[message.x?.type];
  if (!notice || !user) return message.body || "";
  const uid = user._id ?? user.id;
  if (uid && !state.users.has(String(uid))) rememberUsers([{ ...user, _id: String(uid) }]);
  return notice(uid ? displayName(uid) : displayName(user));
}

function statusNode(status) {
  return el(
    "span",
    { class: "message-status", dataset: { status }, title: STATUS_TEXT[status] },
    el("span", { "aria-hidden": "true" }, STATUS_MARK[status]),
    el("span", { class: "visually-hidden" }, STATUS_TEXT[status]),
  );
}

export function setStatus(li, status) {
  if (!li.classList.contains("mine")) return;
  const current = li.querySelector(".message-status");
  if (current?.dataset.status === "read" && status === "sent") return; // never goes back
  current?.replaceWith(statusNode(status));
  li.dataset.status = status;
  const retry = li.querySelector(".retry-button");
  if (status === "failed" && !retry) {
    li.querySelector(".message-meta").append(
      el("button", { type: "button", class: "link-button retry-button", onclick: () => actions.retry(li) }, "Retry"),
    );
  } else if (status !== "failed") retry?.remove();
}

function bodyId(li) {
  return `message-body-${li.dataset.id || li.dataset.clientId}`;
}

function actionButtons(li) {
  const describedBy = bodyId(li);
  const button = (label, onclick, extra = {}) =>
    el("button", { type: "button", class: "link-button", "aria-describedby": describedBy, onclick, ...extra }, label);
  const box = el("div", { class: "message-actions" });
  box.append(
    button("Reply", () => actions.reply(li)),
    button("React", () => showPicker(li, box, () => restoreActions(li)), { class: "link-button react-button" }),
  );
  if (li.classList.contains("mine")) {
    box.append(
      button("Edit", () => startEdit(li), { class: "link-button edit-button" }),
      button("Delete", () => askDelete(li), { class: "link-button delete-button" }),
    );
  }
  return box;
}

function restoreActions(li) {
  li.querySelector(".message-actions")?.replaceWith(actionButtons(li));
}

function timeNode(ms) {
  const date = new Date(ms);
  return el(
    "time",
    { datetime: date.toISOString(), title: date.toLocaleString() },
    date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
  );
}

function systemItem(message, li) {
  li.append(el("div", { class: "bubble" }, el("p", { class: "message-body", id: bodyId(li) }, noticeText(message))));
  return li;
}

/** The list item for a message; `status` only for one's own ("pending", "sent", "read");
 * `uploads` while the files of one's own message are on their way. */
export function messageItem(message, { status = "sent", clientId = null, uploads = null } = {}) {
  const mine = isMine(message);
  const system = isSystem(message);
  const li = el("li", {
    class: `message ${system ? "system" : mine ? "mine" : "theirs"}`,
    dataset: { id: message._id || "", from: message.from || "", ms: messageMs(message) },
  });
  if (clientId) li.dataset.clientId = clientId;
  if (system) return systemItem(message, li);
  rememberMessage(message);
  const group = !isPrivate(state.conversations.get(String(message.cid)));
  const who = mine ? "You" : displayName(message.from);
  const named = group && !mine; // the name shows above the first of a run of messages in a group
  const body = el("p", { class: "message-body", id: bodyId(li) }, ...textWithLinks(message.body));
  const meta = el("p", { class: "message-meta" }, timeNode(Number(li.dataset.ms)));
  li.append(
    el(
      "div",
      { class: "bubble" },
      el("p", { class: named ? "message-sender" : "message-sender visually-hidden" }, named ? who : `${who}:`),
      message.replied_message_id ? quoteNode(message.replied_message_id) : null,
      body,
      attachmentsNode(message.attachments, { uploads }),
      meta,
    ),
  );
  if (named) {
    li.classList.add("with-avatar");
    li.prepend(avatar(message.from));
  }
  if (message.reactions) setReactions(li, message.reactions);
  if (mine) {
    meta.append(" ", statusNode(status));
    li.dataset.status = status;
  }
  if (message._id) li.append(actionButtons(li));
  li.querySelector(".bubble").addEventListener("click", (event) => toggleActions(li, event));
  return li;
}

/** On a touch screen (no hover) a tap on a message shows or hides its actions. */
function toggleActions(li, event) {
  if (!window.matchMedia("(hover: none)").matches || event.target.closest("a, button, textarea, form")) return;
  const open = !li.classList.contains("actions-open");
  for (const other of li.parentElement?.querySelectorAll(".actions-open") || []) other.classList.remove("actions-open");
  li.classList.toggle("actions-open", open);
}

/** After the acknowledgement: the server id, the files as sent, and the actions that need the id. */
export function confirmSent(li, serverId, t, { attachments = null } = {}) {
  li.dataset.id = String(serverId);
  if (t) li.dataset.ms = String(Number(li.dataset.ms) || t * 1000);
  const body = li.querySelector(".message-body");
  body.id = bodyId(li);
  if (attachments?.length) li.querySelector(".attachments")?.replaceWith(attachmentsNode(attachments));
  setStatus(li, "sent");
  if (!li.querySelector(".message-actions")) li.append(actionButtons(li));
}

export function setBody(li, text, { edited = false } = {}) {
  const body = li.querySelector(".message-body");
  if (body) body.replaceChildren(...textWithLinks(text));
  if (edited && !li.querySelector(".edited")) {
    li.querySelector(".message-meta time").after(" ", el("span", { class: "edited" }, "edited"));
  }
}

function startEdit(li) {
  const bubble = li.querySelector(".bubble");
  const body = li.querySelector(".message-body");
  if (!body || li.querySelector(".edit-form")) return;
  const inputId = `edit-${li.dataset.id}`;
  const input = el("textarea", { id: inputId, class: "edit-input", rows: 2 });
  input.value = body.textContent;
  const error = el("p", { class: "form-error", role: "alert" });
  const cancel = () => {
    form.remove();
    body.hidden = false;
    li.querySelector(".message-actions .edit-button")?.focus();
  };
  const form = el(
    "form",
    {
      class: "edit-form",
      onsubmit: async (event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (!text) return;
        try {
          await actions.edit(li, text);
          form.remove();
          body.hidden = false;
          setBody(li, text, { edited: true });
        } catch (failure) {
          error.textContent = failure.message;
        }
      },
    },
    el("label", { for: inputId, class: "visually-hidden" }, "Edit message"),
    input,
    error,
    el("div", { class: "edit-actions" },
      el("button", { type: "button", class: "secondary", onclick: cancel }, "Cancel"),
      el("button", { type: "submit" }, "Save")),
  );
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      cancel();
    } else if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  body.hidden = true;
  bubble.insertBefore(form, body.nextSibling);
  input.focus();
  input.select();
}

function askDelete(li) {
  const box = li.querySelector(".message-actions");
  const cancel = el("button", { type: "button", class: "link-button", onclick: () => {
    restoreActions(li);
    li.querySelector(".message-actions .delete-button")?.focus();
  } }, "Cancel");
  const confirm = el(
    "button",
    {
      type: "button",
      class: "link-button danger",
      onclick: async () => {
        try {
          await actions.remove(li);
        } catch (failure) {
          box.replaceChildren(el("span", { role: "alert" }, failure.message), cancel);
        }
      },
    },
    "Delete for everyone",
  );
  box.replaceChildren(el("span", { class: "confirm-text" }, "Delete this message?"), " ", confirm, " ", cancel);
  box.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.stopPropagation(); // keeps the message, and the conversation open on a phone
    cancel.click();
  });
  confirm.focus();
}
