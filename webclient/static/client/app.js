// The web client's entry point: signing up and in (HTTP /login + SAMA `connect`), the socket's
// frames routed to the parts of the page, reconnecting, and the phone/desktop layout switch.

import {
  closeChat, initChat, onAck, onDelete, onEdit, onLastActivity, onMessage, onRead, onSendError, onTyping,
  renderHeader, reopenChat,
} from "./chat.js";
import { initConversations, loadConversations, onSystemMessage } from "./conversations.js";
import { initGroupSettings } from "./group_settings.js";
import { initNewConversation } from "./new_conversation.js";
import { initNotifications } from "./notifications.js";
import { initProfile, renderMe } from "./profile.js";
import { onReactionsUpdate } from "./reactions.js";
import { backToList, forgetAddress, initRouter, navigate, showCurrent } from "./router.js";
import { httpLogin, httpLogout, SamaSocket } from "./sama.js";
import { initSearch, resetSearch } from "./search.js";
import { rememberUsers, state } from "./store.js";
import { $, uuid } from "./util.js";

const DEVICE_KEY = "chat.device_id";
const SIGNED_IN_KEY = "chat.signed_in"; // this browser signed in before: try its refresh cookie

function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = `web-${uuid()}`;
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

function setConnection(text) {
  $("connection-status").textContent = text;
  document.body.dataset.connection = text ? "down" : "up";
}

function showAuth() {
  $("chat-view").hidden = true;
  $("auth-view").hidden = false;
  document.body.dataset.signedIn = "false";
  $("login-login").focus();
}

function showChat() {
  $("auth-view").hidden = true;
  $("chat-view").hidden = false;
  document.body.dataset.signedIn = "true";
  renderMe();
}

/** Bind the socket to the session that /login answered, then load the conversations. */
async function startSession(session) {
  state.token = session.access_token;
  await state.socket.ready();
  await state.socket.request("connect", { token: session.access_token, device_id: deviceId() });
  state.me = session.user;
  localStorage.setItem(SIGNED_IN_KEY, "1");
  rememberUsers([session.user]);
  showChat();
  setConnection("");
  await loadConversations();
  await showCurrent(); // the address this page was opened at (or the list)
  const focused = document.activeElement;
  if (!focused || focused === document.body || focused.closest("#auth-view")) $("conversations-heading").focus();
}

/** After a reconnect: a fresh access token from the refresh cookie, then catch up. */
async function resume() {
  try {
    const session = await httpLogin({ device_id: deviceId() });
    state.token = session.access_token;
    await state.socket.request("connect", { token: session.access_token, device_id: deviceId() });
    setConnection("");
    await loadConversations();
    await reopenChat();
  } catch (error) {
    if (error.status === 401) signOutLocally();
    else setConnection("Connection lost. Reconnecting…");
  }
}

function signOutLocally() {
  localStorage.removeItem(SIGNED_IN_KEY);
  closeChat();
  resetSearch();
  forgetAddress();
  state.me = null;
  state.token = null;
  state.conversations.clear();
  state.participants.clear();
  state.presence.clear();
  $("conversation-list").replaceChildren();
  showAuth();
}

async function withForm(form, errorId, action) {
  const error = $(errorId);
  const button = form.querySelector("[type=submit]");
  error.textContent = "";
  button.disabled = true;
  try {
    await action(new FormData(form));
    form.reset();
  } catch (failure) {
    error.textContent = failure.message || "Something went wrong";
  } finally {
    button.disabled = false;
  }
}

function initAuth() {
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    withForm(event.target, "login-error", async (data) => {
      const login = String(data.get("login")).trim();
      const password = String(data.get("password"));
      if (!login || !password) throw new Error("Enter your login and password.");
      await startSession(await httpLogin({ login, password, device_id: deviceId() }));
    });
  });
  $("signup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    withForm(event.target, "signup-error", async (data) => {
      const login = String(data.get("login")).trim();
      const password = String(data.get("password"));
      if (!login || !password) throw new Error("Choose a login and a password.");
      const profile = { login, password };
      for (const name of ["first_name", "last_name"]) {
        const value = String(data.get(name) || "").trim();
        if (value) profile[name] = value;
      }
      await state.socket.ready();
      await state.socket.request("user_create", profile);
      await startSession(await httpLogin({ login, password, device_id: deviceId() }));
    });
  });
  $("logout-button").addEventListener("click", logOut);
}

/** Log this device out (HTTP /logout ends its session and clears the refresh cookie). */
async function logOut() {
  let loggedOut = state.token && (await httpLogout(state.token));
  if (!loggedOut) {
    // The access token may have expired: renew it with the refresh cookie, then log out.
    const session = await httpLogin({ device_id: deviceId() }).catch(() => null);
    if (session) loggedOut = await httpLogout(session.access_token);
  }
  await state.socket.request("user_logout", {}).catch(() => {});
  signOutLocally();
}

function initSocket() {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
  const socket = new SamaSocket(url);
  state.socket = socket;
  socket.on("open", () => (state.me ? resume() : setConnection("")));
  socket.on("close", () => setConnection("Connection lost. Reconnecting…"));
  socket.on("ack", onAck);
  socket.on("message", (message) => (message.error ? onSendError(message) : onMessage(message)));
  socket.on("message_edit", onEdit);
  socket.on("message_delete", onDelete);
  socket.on("message_read", onRead);
  socket.on("message_reactions_update", onReactionsUpdate);
  socket.on("typing", onTyping);
  socket.on("last_activity", onLastActivity);
  socket.on("system_message", (notice) => {
    onSystemMessage(notice);
    renderHeader();
  });
  socket.open();
}

function initLayout() {
  $("back-button").addEventListener("click", backToList);
  document.addEventListener("keydown", (event) => {
    // Escape goes back to the list on a phone, where the list and the rest take turns.
    if (event.key !== "Escape" || event.defaultPrevented || document.body.dataset.view === "list") return;
    if (!window.matchMedia("(max-width: 47.99rem)").matches || document.querySelector("dialog[open]")) return;
    if (!event.target.closest?.(".edit-form, .profile-view form")) backToList();
  });
}

async function boot() {
  const openConversation = (cid) => navigate({ view: "chat", cid: String(cid) });
  initRouter();
  // A conversation one left or was removed from: back to the list, in place of its address.
  initConversations({ open: openConversation, close: () => navigate({ view: "list" }, { replace: true }) });
  initNewConversation({ open: openConversation });
  initGroupSettings();
  initNotifications({ open: openConversation });
  initProfile({ open: () => navigate({ view: "profile" }), back: backToList, logOut });
  initSearch({ open: openConversation });
  initChat();
  initAuth();
  initLayout();
  setConnection("Connecting…");
  initSocket();
  try {
    // Still signed in on this device? The HttpOnly refresh cookie says so.
    if (!localStorage.getItem(SIGNED_IN_KEY)) throw new Error("signed out");
    await startSession(await httpLogin({ device_id: deviceId() }));
  } catch {
    localStorage.removeItem(SIGNED_IN_KEY);
    setConnection(state.socket.isOpen ? "" : "Connecting…");
    showAuth();
    state.socket.ready().then(() => state.me || setConnection(""));
  }
}

boot();
