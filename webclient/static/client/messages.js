// One message in the open conversation: how it looks, and editing or deleting one's own.

import { displayName, isPrivate, state } from "./store.js";
import { el, formatTime, messageMs } from "./util.js";

const SYSTEM_TYPES = new Set(["added_participant", "removed_participant", "left_participants"]);
const STATUS_TEXT = { pending: "Sending", sent: "Sent", read: "Read", failed: "Not sent" };
const STATUS_MARK = { pending: "…", sent: "✓", read: "✓✓", failed: "!" };

let actions = { edit: async () => {}, remove: async () => {}, retry: () => {} };

export function setMessageActions(handlers) {
  actions = handlers;
}

export function isMine(message) {
  return String(message.from) === String(state.me?._id);
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
  return el(
    "div",
    { class: "message-actions" },
    el("button", { type: "button", class: "link-button", "aria-describedby": bodyId(li), onclick: () => startEdit(li) },
      "Edit"),
    el("button", { type: "button", class: "link-button", "aria-describedby": bodyId(li), onclick: () => askDelete(li) },
      "Delete"),
  );
}

/** The list item for a message; `status` only for one's own ("pending", "sent", "read"). */
export function messageItem(message, { status = "sent", clientId = null } = {}) {
  const mine = isMine(message);
  const system = !message.from || SYSTEM_TYPES.has(message.x?.type);
  const ms = messageMs(message);
  const li = el("li", {
    class: `message ${system ? "system" : mine ? "mine" : "theirs"}`,
    dataset: { id: message._id || "", from: message.from || "", ms },
  });
  if (clientId) li.dataset.clientId = clientId;
  const conversation = state.conversations.get(String(message.cid));
  const showSender = !mine && !system && !isPrivate(conversation);
  const who = mine ? "You" : displayName(message.from);
  const body = el("p", { class: "message-body", id: bodyId(li) }, message.body || "");
  if (message.attachments?.length) {
    body.append(el("span", { class: "attachment-note" }, ` [${message.attachments.length} attachment(s)]`));
  }
  const time = el("time", { datetime: new Date(ms).toISOString() }, formatTime(ms));
  const meta = el("p", { class: "message-meta" }, time);
  li.append(
    el(
      "div",
      { class: "bubble" },
      showSender ? el("p", { class: "message-sender" }, who) : el("span", { class: "visually-hidden" }, `${who}:`),
      body,
      meta,
    ),
  );
  if (mine && !system) {
    meta.append(" ", statusNode(status));
    li.dataset.status = status;
    if (message._id) li.append(actionButtons(li));
  }
  return li;
}

/** After the acknowledgement: the server id, and the actions that need it. */
export function confirmSent(li, serverId, t) {
  li.dataset.id = String(serverId);
  if (t) li.dataset.ms = String(Number(li.dataset.ms) || t * 1000);
  const body = li.querySelector(".message-body");
  body.id = bodyId(li);
  setStatus(li, "sent");
  if (!li.querySelector(".message-actions")) li.append(actionButtons(li));
}

export function setBody(li, text, { edited = false } = {}) {
  const body = li.querySelector(".message-body");
  if (body) body.textContent = text;
  if (edited && !li.querySelector(".edited")) {
    li.querySelector(".message-meta time").after(" ", el("span", { class: "edited" }, "edited"));
  }
}

function restoreActions(li) {
  li.querySelector(".message-actions")?.replaceWith(actionButtons(li));
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
    li.querySelector(".message-actions [type=button]")?.focus();
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
  const cancel = el("button", { type: "button", class: "link-button", onclick: () => restoreActions(li) }, "Cancel");
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
  confirm.focus();
}
