// A conversation's settings, opened from its header: muting and archiving it for oneself (any
// conversation); a group's name, its people (adding anyone, removing others when one owns it) and
// leaving it, over SAMA `conversation_update` and `conversation_delete` (a leave on this server).
// The others see the changes live: the server tells them (system messages, stored notices).

import { renderHeader } from "./chat.js";
import { forgetConversation, refreshConversation, updateSettings, upsertConversation } from "./conversations.js";
import { PeopleSearch } from "./people_search.js";
import { conversationTitle, displayName, ensureUsers, isPrivate, state } from "./store.js";
import { $, el } from "./util.js";

let cid = null; // the conversation the dialog shows
let people = null; // the "Add people" search

const conversation = () => state.conversations.get(cid);
const isMe = (uid) => String(uid) === String(state.me?._id);

function say(text) {
  $("settings-error").textContent = "";
  $("settings-status").textContent = text;
}

function fail(error) {
  $("settings-status").textContent = "";
  $("settings-error").textContent = error.message || "Something went wrong";
}

/** Run a request with `control` disabled meanwhile (and focused again after, if it was); errors
 * are shown in the dialog. */
async function busy(control, action) {
  const focused = document.activeElement === control;
  control.disabled = true;
  try {
    await action();
    return true;
  } catch (error) {
    fail(error);
    return false;
  } finally {
    control.disabled = false;
    if (focused && control.isConnected) control.focus();
  }
}

function switchRow(id, label, hint, onchange) {
  return el(
    "div",
    { class: "setting-switch" },
    el("input", { type: "checkbox", id, "aria-describedby": `${id}-hint`, onchange }),
    el("label", { for: id }, label),
    el("p", { id: `${id}-hint`, class: "hint" }, hint),
  );
}

function build() {
  const addInput = el("input", { id: "add-people-search", type: "search", autocomplete: "off",
    "aria-controls": "add-people-results", "aria-describedby": "add-people-status" });
  const dialog = el(
    "dialog",
    { id: "conversation-settings", class: "dialog settings-dialog", "aria-labelledby": "conversation-settings-title" },
    el("h2", { id: "conversation-settings-title" }, "Conversation settings"),
    el("p", { id: "settings-subject", class: "settings-subject" }),
    el(
      "fieldset",
      { class: "settings-section" },
      el("legend", {}, "Just for you"),
      switchRow("settings-muted", "Mute notifications",
        "No desktop or push notifications, and its messages leave the tab's unread count.",
        (event) => toggle(event.target, "muted")),
      switchRow("settings-archived", "Archive",
        "It moves to “Archived” and stays there when new messages arrive.",
        (event) => toggle(event.target, "archived")),
    ),
    el(
      "div",
      { id: "group-settings", class: "group-settings" },
      el(
        "form",
        { id: "rename-form", class: "settings-section", onsubmit: rename },
        el("label", { for: "rename-input" }, "Group name"),
        el("div", { class: "inline-form" },
          el("input", { id: "rename-input", maxlength: 255, autocomplete: "off" }),
          el("button", { type: "submit" }, "Rename")),
      ),
      el(
        "section",
        { class: "settings-section", "aria-labelledby": "people-heading" },
        el("h3", { id: "people-heading", tabindex: -1 }, "People"),
        el("ul", { id: "people-list", class: "people-list" }),
      ),
      el(
        "form",
        { id: "add-people-form", class: "settings-section", onsubmit: addPeople },
        el("label", { for: "add-people-search" }, "Add people"),
        addInput,
        el("p", { id: "add-people-status", class: "hint", "aria-live": "polite" }),
        el("fieldset", { class: "user-results-box" },
          el("legend", { class: "visually-hidden" }, "People found"),
          el("ul", { id: "add-people-results", class: "user-results" })),
        el("button", { type: "submit" }, "Add to group"),
      ),
      el("div", { id: "leave-box", class: "settings-section leave-box" }),
    ),
    el(
      "div",
      { class: "settings-footer" }, // always in sight: what just happened, and the way out
      el("p", { id: "settings-status", class: "settings-status", role: "status" }),
      el("p", { id: "settings-error", class: "form-error", role: "alert" }),
      el("div", { class: "dialog-actions" },
        el("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, "Close")),
    ),
  );
  document.body.append(dialog);
  dialog.addEventListener("close", () => {
    cid = null;
    const back = state.currentCid && $("conversation-settings-button");
    (back && back.offsetParent ? back : $("conversations-heading")).focus();
  });
  people = new PeopleSearch({
    input: addInput,
    results: $("add-people-results"),
    status: $("add-people-status"),
    ignore: () => state.participants.get(cid) || [],
  });
}

// --- drawing -------------------------------------------------------------------------------------

function personRow(uid, owned) {
  const user = state.users.get(String(uid));
  const name = displayName(uid);
  const login = user?.login && user.login !== name ? ` (${user.login})` : "";
  const tags = [isMe(uid) ? "you" : "", String(conversation()?.owner_id) === String(uid) ? "owner" : ""].filter(Boolean);
  const remove = owned && !isMe(uid)
    ? el("button", { type: "button", class: "link-button danger", "aria-label": `Remove ${name}`,
      onclick: (event) => removePerson(event.target, uid) }, "Remove")
    : null;
  return el(
    "li",
    { dataset: { uid: String(uid) } },
    el("span", { class: "person-name" }, `${name}${login}`),
    tags.length ? el("span", { class: "person-tags" }, tags.join(", ")) : null,
    remove,
  );
}

function renderLeave(confirming = false) {
  const box = $("leave-box");
  if (!confirming) {
    box.replaceChildren(el("button", { type: "button", class: "secondary danger", onclick: () => {
      renderLeave(true);
      box.querySelector("button").focus(); // "Stay": the safe answer first
    } }, "Leave group"));
    return;
  }
  const title = conversationTitle(conversation());
  box.replaceChildren(
    el("p", { id: "leave-question" }, `Leave “${title}”? You will no longer get its messages.`),
    el("div", { class: "dialog-actions" },
      el("button", { type: "button", class: "secondary", onclick: () => {
        renderLeave(false);
        box.querySelector("button").focus();
      } }, "Stay"),
      el("button", { type: "button", class: "danger", "aria-describedby": "leave-question",
        onclick: (event) => leave(event.target) }, "Leave")),
  );
}

async function render() {
  const current = conversation();
  if (!current) return;
  const group = !isPrivate(current);
  $("settings-subject").textContent = conversationTitle(current);
  $("settings-muted").checked = Boolean(current.muted);
  $("settings-archived").checked = Boolean(current.archived);
  $("group-settings").hidden = !group;
  if (!group) return;
  const input = $("rename-input");
  if (document.activeElement !== input) input.value = current.name || "";
  const members = state.participants.get(cid) || [];
  await ensureUsers(members);
  if (conversation() !== current) return;
  const owned = String(current.owner_id) === String(state.me?._id);
  $("people-heading").textContent = `People (${members.length})`;
  const focusedUid = document.activeElement?.closest?.("#people-list li")?.dataset.uid;
  $("people-list").replaceChildren(...members.map((uid) => personRow(uid, owned)));
  if (focusedUid) $("people-list").querySelector(`li[data-uid="${CSS.escape(focusedUid)}"] button`)?.focus();
  if (!$("leave-box").querySelector("#leave-question")) renderLeave(false);
}

/** Open the settings of a conversation. */
export function openSettings(conversationId) {
  cid = String(conversationId);
  say("");
  people.reset();
  renderLeave(false);
  render();
  $("conversation-settings").showModal();
}

// --- changes -------------------------------------------------------------------------------------

async function toggle(checkbox, setting) {
  const on = checkbox.checked;
  const done = await busy(checkbox, () => updateSettings(cid, { [setting]: on }));
  if (!done) {
    checkbox.checked = !on;
    return;
  }
  const words = {
    muted: on ? "Muted: no notifications from this conversation." : "Notifications are on again.",
    archived: on ? "Archived: it is under “Archived” in the list." : "Back in the list of conversations.",
  };
  say(words[setting]);
}

async function rename(event) {
  event.preventDefault();
  const name = $("rename-input").value.trim();
  if (!name) {
    fail(new Error("Type the group's new name."));
    return;
  }
  const button = event.target.querySelector("[type=submit]");
  await busy(button, async () => {
    const response = await state.socket.request("conversation_update", { id: cid, name });
    upsertConversation(response.conversation);
    say(`Renamed to “${name}”.`);
  });
}

async function removePerson(button, uid) {
  const name = displayName(uid);
  await busy(button, async () => {
    await state.socket.request("conversation_update", { id: cid, participants: { remove: [String(uid)] } });
    await refreshConversation(cid);
    say(`${name} was removed from the group.`);
    $("people-heading").focus();
  });
}

async function addPeople(event) {
  event.preventDefault();
  const ids = people.ids;
  if (!ids.length) {
    fail(new Error("Search for someone and tick them first."));
    return;
  }
  const names = ids.map((uid) => displayName(uid)).join(", ");
  const button = event.target.querySelector("[type=submit]");
  await busy(button, async () => {
    await state.socket.request("conversation_update", { id: cid, participants: { add: ids } });
    await refreshConversation(cid);
    people.reset();
    say(`Added ${names}.`);
  });
}

async function leave(button) {
  const left = cid;
  const done = await busy(button, () => state.socket.request("conversation_delete", { id: left }));
  if (!done) return;
  $("conversation-settings").close();
  forgetConversation(left);
  $("conversations-heading").focus();
}

export function initGroupSettings() {
  build();
  const button = el(
    "button",
    { type: "button", id: "conversation-settings-button", class: "secondary settings-button",
      "aria-haspopup": "dialog", "aria-label": "Conversation settings",
      onclick: () => state.currentCid && openSettings(state.currentCid) },
    el("span", { class: "settings-icon", "aria-hidden": "true" }, "\u2699\uFE0E"), // ⚙, as text
    el("span", { class: "settings-button-text" }, "Settings"),
  );
  document.querySelector("#chat-open .chat-head").append(button);
  // The header and the open dialog follow every change to their conversation.
  document.addEventListener("conversation-changed", (event) => {
    if (event.detail.cid === state.currentCid) renderHeader();
    if (event.detail.cid !== cid) return;
    if (conversation()) render();
    else $("conversation-settings").close(); // left, or removed by its owner
  });
}
