// Getting the person's attention: the unread count in the tab's title ("(3) Chat"), and desktop
// notifications, asked for with the browser's permission prompt only from the control the person
// presses (never on page load). Muted conversations count for neither; nor is anyone notified of
// a message in the conversation they are looking at.

import { conversationTitle, displayName, isPrivate, state } from "./store.js";
import { $, el } from "./util.js";

const PREFERENCE_KEY = "chat.notifications"; // "off" when turned off on this device
const BASE_TITLE = document.title || "Chat";

let openConversation = () => {};

function supported() {
  return typeof window.Notification === "function";
}

function enabled() {
  return supported() && Notification.permission === "granted" && localStorage.getItem(PREFERENCE_KEY) !== "off";
}

/** The unread messages that ask for attention: those of conversations not muted. */
function unreadCount() {
  if (!state.me) return 0;
  let total = 0;
  for (const conversation of state.conversations.values()) {
    if (!conversation.muted) total += conversation.unread_messages_count || 0;
  }
  return total;
}

/** The list's counts changed (or the person signed in or out): the tab's title follows. */
export function noteUnreadChanged() {
  const count = unreadCount();
  const title = count ? `(${count > 99 ? "99+" : count}) ${BASE_TITLE}` : BASE_TITLE;
  if (document.title !== title) document.title = title;
}

function renderControl() {
  const box = $("notification-control");
  if (!box) return;
  if (!supported()) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const status = el("span", { class: "notification-status" });
  let button = null;
  if (Notification.permission === "denied") {
    status.textContent = "Desktop notifications are blocked in this browser's site settings.";
  } else if (enabled()) {
    status.textContent = "Desktop notifications are on.";
    button = el("button", { type: "button", class: "link-button", onclick: () => turn(false) }, "Turn off");
  } else {
    button = el(
      "button",
      { type: "button", class: "link-button", onclick: () => turn(true) },
      "Turn on desktop notifications",
    );
  }
  box.replaceChildren(status, button || "");
}

async function turn(on) {
  const focusAfter = document.activeElement?.closest?.("#notification-control");
  if (!on) {
    localStorage.setItem(PREFERENCE_KEY, "off");
  } else {
    localStorage.removeItem(PREFERENCE_KEY);
    if (Notification.permission === "default") await Notification.requestPermission();
  }
  renderControl();
  if (focusAfter) ($("notification-control").querySelector("button") || $("notification-control")).focus();
}

function looking(cid) {
  return document.visibilityState === "visible" && document.hasFocus() && state.currentCid === String(cid);
}

/** A message from someone else arrived in `conversation`: a desktop notification, unless it is
 * muted, notifications are off, or the person is looking at that conversation. */
export function notifyMessage(message, conversation) {
  if (!enabled() || conversation.muted || looking(message.cid)) return;
  const cid = String(message.cid);
  const text = message.body || (message.attachments?.length ? "Attachment" : "New message");
  const body = isPrivate(conversation) ? text : `${displayName(message.from)}: ${text}`;
  let notification;
  try {
    notification = new Notification(conversationTitle(conversation), { body, tag: `conversation-${cid}` });
  } catch {
    return; // some browsers only notify from a service worker
  }
  notification.onclick = () => {
    window.focus();
    notification.close();
    openConversation(cid);
  };
}

export function initNotifications({ open }) {
  openConversation = open;
  const box = el("div", { id: "notification-control", class: "notification-control", role: "group",
    "aria-label": "Desktop notifications" });
  $("sidebar").append(box);
  renderControl();
  // Signing out empties the list without redrawing it: the title follows the signed-in state.
  new MutationObserver(noteUnreadChanged).observe(document.body, { attributeFilter: ["data-signed-in"] });
  // The permission may change in the browser's settings while the page is open.
  document.addEventListener("visibilitychange", renderControl);
}
