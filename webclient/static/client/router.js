// The page's addresses and what each shows: `/` the conversation list, `/c/<cid>` one
// conversation, `/profile` one's profile. Going somewhere pushes a history entry, so a reload
// reopens it and back and forward move between them; an unknown conversation says so.

import { closeChat, openChat } from "./chat.js";
import { refreshConversation } from "./conversations.js";
import { showProfile } from "./profile.js";
import { state } from "./store.js";
import { $ } from "./util.js";

const CONVERSATION_PATH = /^\/c\/([^/]+)\/?$/;
const LIST = { view: "list" };

let turn = 0; // the newest `show`: an older one still waiting for the server gives way

/** The route an address names: {view: "list" | "chat" | "profile", cid?}. */
export function routeOf(pathname) {
  const conversation = CONVERSATION_PATH.exec(pathname);
  if (conversation) {
    try {
      return { view: "chat", cid: decodeURIComponent(conversation[1]) };
    } catch {
      return { view: "chat", cid: conversation[1] }; // a malformed escape: no such conversation
    }
  }
  if (pathname === "/profile" || pathname === "/profile/") return { view: "profile" };
  return LIST;
}

export function pathOf(route) {
  if (route.view === "chat") return `/c/${encodeURIComponent(route.cid)}`;
  if (route.view === "profile") return "/profile";
  return "/";
}

export const currentRoute = () => routeOf(location.pathname);

/** Show what the current address names (after signing in, or when a conversation went away). */
export function showCurrent() {
  return show(currentRoute());
}

/** Go to a route: a new history entry (or, with `replace`, instead of the current one), then show it.
 * Each entry remembers where it was pushed from, so "back to the list" knows whether to go back. */
export function navigate(route, { replace = false } = {}) {
  const path = pathOf(route);
  if (path !== location.pathname || replace) {
    const entry = replace ? history.state : { from: location.pathname };
    history[replace ? "replaceState" : "pushState"](entry, "", path);
  }
  return show(route);
}

/** "Back to conversations": back in history when the list is the entry before, else to the list
 * (in place of an address opened from elsewhere, so back then leaves the page as it came). */
export function backToList() {
  if (history.state?.from === "/") history.back();
  else navigate(LIST, { replace: !history.state?.from });
}

/** Signed out: the next person starts at the list. */
export function forgetAddress() {
  turn += 1;
  history.replaceState(null, "", "/");
}

async function show(route) {
  const mine = ++turn;
  if (route.view === "chat") {
    const known = state.conversations.has(route.cid) || (await fetchConversation(route.cid));
    if (mine !== turn) return;
    if (known) await openChat(route.cid);
    else showMissing();
    return;
  }
  const previous = state.currentCid;
  const focusGoes = !document.activeElement?.closest?.("#sidebar, .topbar, dialog");
  closeChat();
  if (route.view === "profile") {
    showProfile();
  } else if (focusGoes) {
    // Back from a conversation (a phone's back gesture too): to its entry in the list.
    const entry = previous && $("conversation-list").querySelector(`li[data-cid="${CSS.escape(previous)}"] button`);
    (entry || $("conversations-heading")).focus();
  }
}

/** A conversation beyond the loaded list, asked of the server; false when it has none for us. */
async function fetchConversation(cid) {
  if (!/^\d+$/.test(cid)) return false;
  try {
    return Boolean(await refreshConversation(cid));
  } catch {
    return false;
  }
}

function showMissing() {
  closeChat();
  document.body.dataset.view = "missing";
  $("chat-missing-heading").focus();
}

export function initRouter() {
  addEventListener("popstate", () => {
    if (state.me) showCurrent();
  });
  $("chat-missing-back").addEventListener("click", (event) => {
    event.preventDefault();
    backToList();
  });
}
