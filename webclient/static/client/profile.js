// "Your profile": one's display name and password (SAMA `user_edit`), and logging out of this device.

import { displayName, rememberUsers, state } from "./store.js";
import { $ } from "./util.js";

/** `open` goes to the profile and `back` from it (the router's navigation); `logOut` logs this
 * device out. */
export function initProfile({ open, back, logOut }) {
  $("profile-button").addEventListener("click", () => open());
  $("profile-back").addEventListener("click", () => back());
  $("name-form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveName();
  });
  $("password-form").addEventListener("submit", (event) => {
    event.preventDefault();
    changePassword();
  });
  $("profile-logout").addEventListener("click", () => logOut());
}

/** Show the profile in place of the conversation (on a phone, of everything but the top bar). */
export function showProfile() {
  document.body.dataset.view = "profile";
  $("profile-login").textContent = state.me?.login || "";
  $("profile-first-name").value = state.me?.first_name || "";
  $("profile-last-name").value = state.me?.last_name || "";
  $("password-form").elements.username.defaultValue = state.me?.login || ""; // for password managers
  for (const id of ["name-status", "name-error", "password-status", "password-error"]) $(id).textContent = "";
  $("password-form").reset();
  $("profile-heading").focus();
}

/** The signed-in user changed: the top bar follows. */
export function renderMe() {
  $("me-name").textContent = displayName(state.me);
}

async function submitting(form, statusId, errorId, action) {
  const button = form.querySelector("[type=submit]");
  $(statusId).textContent = "";
  $(errorId).textContent = "";
  button.disabled = true;
  try {
    $(statusId).textContent = await action();
  } catch (failure) {
    $(errorId).textContent = failure.message || "Something went wrong";
  } finally {
    button.disabled = false;
  }
}

function saveName() {
  submitting($("name-form"), "name-status", "name-error", async () => {
    const names = { first_name: $("profile-first-name").value.trim(), last_name: $("profile-last-name").value.trim() };
    const response = await state.socket.request("user_edit", names);
    state.me = { ...state.me, ...response.user };
    rememberUsers([state.me]);
    renderMe();
    return "Name saved.";
  });
}

function changePassword() {
  const form = $("password-form");
  submitting(form, "password-status", "password-error", async () => {
    const current = $("current-password").value;
    const fresh = $("new-password").value;
    if (!current || !fresh) throw new Error("Enter your current password and a new one.");
    if (fresh !== $("repeat-password").value) throw new Error("The new passwords do not match.");
    await state.socket.request("user_edit", { current_password: current, new_password: fresh });
    form.reset();
    return "Password changed.";
  });
}
