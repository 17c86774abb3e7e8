// The "New conversation" dialog: find people (people_search.js), pick one (private) or several
// (group), conversation_create.

import { upsertConversation } from "./conversations.js";
import { PeopleSearch } from "./people_search.js";
import { state } from "./store.js";
import { $ } from "./util.js";

let people = null;
let opened = () => {};

function chosenType() {
  return $("new-conversation-form").elements.type.value;
}

function openDialog() {
  $("new-conversation-form").reset();
  people.reset();
  $("group-name-field").hidden = true;
  $("new-conversation-error").textContent = "";
  $("new-conversation-dialog").showModal();
  $("user-search").focus();
}

async function submit(event) {
  event.preventDefault();
  const type = chosenType();
  const error = $("new-conversation-error");
  const ids = people.ids;
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
  people = new PeopleSearch({
    input: $("user-search"),
    results: $("user-results"),
    status: $("user-search-status"),
    multiple: () => chosenType() === "g",
  });
  $("new-conversation-button").addEventListener("click", openDialog);
  $("new-conversation-cancel").addEventListener("click", () => $("new-conversation-dialog").close());
  $("new-conversation-form").addEventListener("submit", submit);
  $("new-conversation-form").addEventListener("change", (event) => {
    if (event.target.name !== "type") return;
    $("group-name-field").hidden = chosenType() !== "g";
    people.render();
  });
}
