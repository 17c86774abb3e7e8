// What the page knows: who is signed in, the users it has met, the conversations, presence.

export const state = {
  me: null, // the signed-in user (SAMA user object)
  token: null, // the current access token
  socket: null, // the SamaSocket
  users: new Map(), // user id -> user
  conversations: new Map(), // conversation id -> conversation (with last_message, unread_messages_count)
  participants: new Map(), // conversation id -> [user ids]
  currentCid: null,
  presence: new Map(), // user id -> {value: "online" | when last seen (Unix seconds), at: when it was told}
  presenceSupported: true, // false once the server answers user_last_activity_subscribe with an error
};

export function rememberUsers(users) {
  for (const user of users || []) state.users.set(String(user._id), user);
}

export function displayName(userOrId) {
  const user = typeof userOrId === "object" && userOrId ? userOrId : state.users.get(String(userOrId));
  if (!user) return "Someone";
  const full = [user.first_name, user.last_name].filter(Boolean).join(" ").trim();
  return full || user.login || "Someone";
}

/** Fetch the users the page has not met yet (get_users_by_ids), in one request. */
export async function ensureUsers(ids) {
  const missing = [...new Set(ids.map(String))].filter((id) => id && id !== "null" && !state.users.has(id));
  if (!missing.length) return;
  try {
    const response = await state.socket.request("get_users_by_ids", { ids: missing });
    rememberUsers(response.users);
  } catch {
    // Names fall back to "Someone"; the next event retries.
  }
}

/** The other person of a private conversation. */
export function opponentId(conversation) {
  const me = String(state.me?._id);
  const members = state.participants.get(String(conversation._id)) || [];
  const other = members.find((uid) => String(uid) !== me);
  if (other) return String(other);
  return String(conversation.owner_id) === me ? String(conversation.opponent_id) : String(conversation.owner_id);
}

export function isPrivate(conversation) {
  return conversation?.type === "u";
}

export function conversationTitle(conversation) {
  if (isPrivate(conversation)) return displayName(opponentId(conversation));
  if (conversation.name) return conversation.name;
  const me = String(state.me?._id);
  const others = (state.participants.get(String(conversation._id)) || []).filter((uid) => String(uid) !== me);
  return others.length ? `Group with ${others.map((uid) => displayName(uid)).join(", ")}` : "Group";
}

/** Learn the participants of these conversations (and their users) in one request. */
export async function loadParticipants(cids) {
  if (!cids.length) return;
  const response = await state.socket.request("get_participants_by_cids", { cids: cids.map(String) });
  rememberUsers(response.users);
  for (const [cid, uids] of Object.entries(response.conversations || {})) {
    state.participants.set(String(cid), uids.map(String));
  }
}
