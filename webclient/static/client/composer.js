// The message box: writing (Enter sends, Shift+Enter a new line, typing is told), replying, files,
// and sending: a message shows at once as "Sending", waits for its files, goes out with a client id
// and is confirmed by the server's `ack` (or marked "Not sent", with Retry).

import { noteMessage } from "./conversations.js";
import { confirmSent, messageItem, setStatus } from "./messages.js";
import { cancelReply, isReplying, rememberMessage, takeReply } from "./replies.js";
import { state } from "./store.js";
import { appendItem, currentView, itemById, list } from "./thread.js";
import { hasUploads, takeUploads } from "./uploads.js";
import { $, throttle, uuid } from "./util.js";

const unacknowledged = new Map(); // client id -> the message's list item (shown or not)
const outbox = new Map(); // client id -> {body, cid, repliedId, uploads, attachments}, until acknowledged

function autosize(input) {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

export function initComposer() {
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    sendFromComposer();
  });
  const input = $("composer-input");
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendFromComposer();
    } else if (event.key === "Escape" && isReplying()) {
      event.preventDefault();
      event.stopPropagation(); // Escape ends the reply, not the conversation (phone layout)
      cancelReply({ focus: true });
    }
  });
  const typing = throttle(() => {
    const view = currentView();
    if (view && state.socket.isOpen) state.socket.send({ typing: { cid: view.cid } });
  }, 2500);
  input.addEventListener("input", () => {
    autosize(input);
    if (input.value.trim()) typing();
  });
}

function sendFromComposer() {
  const view = currentView();
  const input = $("composer-input");
  const body = input.value.trim();
  if (!view || (!body && !hasUploads())) return;
  input.value = "";
  autosize(input);
  const uploads = takeUploads();
  const repliedId = takeReply();
  const clientId = uuid();
  const message = { _id: "", from: state.me._id, body, cid: view.cid, t: Math.floor(Date.now() / 1000) };
  if (repliedId) message.replied_message_id = repliedId;
  outbox.set(clientId, { body, cid: view.cid, repliedId, uploads, attachments: null });
  const li = messageItem(message, { status: "pending", clientId, uploads });
  appendItem(li, { follow: true });
  transmit(li);
}

/** Send (again) the message of a list item, once its files are up. */
async function transmit(li) {
  const clientId = li.dataset.clientId;
  const entry = outbox.get(clientId);
  if (!entry) return;
  unacknowledged.set(clientId, li);
  setStatus(li, "pending");
  try {
    entry.attachments = await Promise.all(entry.uploads.map((upload) => upload.start()));
    const frame = { id: clientId, body: entry.body, cid: entry.cid };
    if (entry.attachments.length) frame.attachments = entry.attachments;
    if (entry.repliedId) frame.replied_message_id = entry.repliedId;
    state.socket.send({ message: frame });
  } catch (error) {
    if (unacknowledged.get(clientId) !== li) return;
    setStatus(li, "failed");
    li.querySelector(".message-status").title = error.message || "Not sent";
  }
}

export const resend = transmit;

/** After a reconnect: what was shown but not acknowledged goes at the end again and is sent again
 * with the same id (the server stores a message once per id). */
export function unsentItems() {
  return [...list().querySelectorAll("li[data-client-id][data-id='']")];
}

export function sendAgain(items) {
  for (const li of items) {
    appendItem(li, { follow: false });
    transmit(li);
  }
}

/** `ack` for one of this connection's messages. */
export function onAck(ack) {
  const clientId = String(ack.mid);
  const li = unacknowledged.get(clientId);
  const entry = outbox.get(clientId);
  if (!li || !entry) return;
  unacknowledged.delete(clientId);
  outbox.delete(clientId);
  const message = {
    _id: String(ack.server_mid), body: entry.body, from: state.me._id, t: ack.t, cid: entry.cid,
    attachments: entry.attachments || [],
  };
  rememberMessage(message);
  if (li.isConnected && itemById(ack.server_mid)) {
    li.remove(); // sent again after a reconnect, and already in the reloaded history
    return;
  }
  confirmSent(li, ack.server_mid, ack.t, { attachments: entry.attachments });
  const view = currentView();
  if (view && li.isConnected && Number(ack.server_mid) <= view.readUpTo) setStatus(li, "read");
  noteMessage(message, { unread: false });
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
