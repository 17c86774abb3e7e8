// The "New conversation" dialog: search people (user_search), pick one (private) or several
// (group), conversation_create.

import { upsertConversation } from "./conversations.js";
import { displayName, rememberUsers, state } from "./store.js";
import { $, el } from "./util.js";

const SEARCH_LIMIT = 20;
let selected = new Map(); // user id -> user
let lastResults = [];
let searchTimer = null;
let searchSeq = 0;
let opened = () => {};

function chosenType() {
  return $("new-conversation-form").elements.type.value;
}

function renderSelectedStatus() {
  const names = [...selected.values()].map((user) => displayName(user));
  const found = lastResults.length ? `${lastResults.length} found. ` : "";
  $("user-search-status").textContent = `${found}${names.length ? `Selected: ${names.join(", ")}` : ""}`;
}

function renderResults() {
  const type = chosenType();
  const rows = lastResults.map((user) => {
    const uid = String(user._id);
    const input = el("input", {
      type: type === "u" ? "radio" : "checkbox",
      name: "person",
      value: uid,
      checked: selected.has(uid),
      onchange: (event) => {
        if (type === "u") selected = new Map();
        if (event.target.checked) selected.set(uid, user);
        else selected.delete(uid);
        renderSelectedStatus();
      },
    });
    const login = user.login && displayName(user) !== user.login ? ` (${user.login})` : "";
    return el("li", {}, el("label", { class: "user-result" }, input, ` ${displayName(user)}${login}`));
  });
  $("user-results").replaceChildren(...rows);
  renderSelectedStatus();
}

async function search(keyword) {
  const seq = ++searchSeq;
  try {
    const response = await state.socket.request("user_search", { keyword, limit: SEARCH_LIMIT, ignore_ids: [] });
    if (seq !== searchSeq) return;
    rememberUsers(response.users);
    lastResults = response.users || [];
    renderResults();
    if (!lastResults.length) $("user-search-status").textContent = "Nobody found";
  } catch (error) {
    if (seq === searchSeq) $("user-search-status").textContent = error.message;
  }
}

function openDialog() {
  const form = $("new-conversation-form");
  form.reset();
  selected = new Map();
  lastResults = [];
  $("user-results").replaceChildren();
  $("group-name-field").hidden = true;
  $("new-conversation-error").textContent = "";
  $("user-search-status").textContent = "";
  $("new-conversation-dialog").showModal();
  $("user-search").focus();
  search("");
}

async function submit(event) {
  event.preventDefault();
  const type = chosenType();
  const error = $("new-conversation-error");
  const ids = [...selected.keys()];
  if (type === "u" && ids.length !== 1) {
    error.textContent = "Choose one person for a private conversation.";
    return;
  }
  if (type === "g" && ids.length < 1) {
    error.textContent = "Choose at least one person for a group.";
    return;
  }
  const params = { type, participants: ids };
  if (type === "g") params.name = $("group-name").value.trim();
  try {
    const response = await state.socket.request("conversation_create", params);
    const conversation = response.conversation;
    upsertConversation(conversation, [String(state.me._id), ...ids]);
    $("new-conversation-dialog").close();
    opened(String(conversation._id));
  } catch (failure) {
    error.textContent = failure.message;
  }
}

export function initNewConversation({ open }) {
  opened = open;
  $("new-conversation-button").addEventListener("click", openDialog);
  $("new-conversation-cancel").addEventListener("click", () => $("new-conversation-dialog").close());
  $("new-conversation-form").addEventListener("submit", submit);
  $("new-conversation-form").addEventListener("change", (event) => {
    if (event.target.name !== "type") return;
    $("group-name-field").hidden = chosenType() !== "g";
    if (chosenType() === "u" && selected.size > 1) selected = new Map();
    renderResults();
  });
  $("user-search").addEventListener("input", (event) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => search(event.target.value.trim()), 200);
  });
  $("user-search").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // Enter searches at once instead of submitting
      clearTimeout(searchTimer);
      search(event.target.value.trim());
    }
  });
}
