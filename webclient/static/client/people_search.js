// Finding people by name or login (SAMA `user_search`) and picking one (radio) or several
// (checkboxes): used by "New conversation" and by a group's "Add people". Nothing is searched
// until something is typed, so the dialog never lists the whole directory.

import { displayName, rememberUsers, state } from "./store.js";
import { el } from "./util.js";

const SEARCH_LIMIT = 20;
const TYPING_PAUSE_MS = 200;
export const SEARCH_HINT = "Type a name or login to find people.";

export class PeopleSearch {
  /** `input`, `results` (a list), `status` (a live text): the elements it drives; `multiple()`
   * whether several may be picked; `ignore()` the user ids never to list (besides oneself). */
  constructor({ input, results, status, multiple = () => true, ignore = () => [] }) {
    Object.assign(this, { input, results, status, multiple, ignore });
    this.selected = new Map(); // user id -> user
    this.found = [];
    this.timer = null;
    this.seq = 0;
    input.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), TYPING_PAUSE_MS);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault(); // Enter searches at once instead of submitting the form
        clearTimeout(this.timer);
        this.search();
      }
    });
  }

  reset() {
    clearTimeout(this.timer);
    this.seq += 1;
    this.selected = new Map();
    this.found = [];
    this.input.value = "";
    this.results.replaceChildren();
    this.status.textContent = SEARCH_HINT;
  }

  async search() {
    const keyword = this.input.value.trim();
    const seq = ++this.seq;
    if (!keyword) {
      this.found = [];
      this.render();
      return;
    }
    try {
      const ignore_ids = this.ignore().map(String);
      const response = await state.socket.request("user_search", { keyword, limit: SEARCH_LIMIT, ignore_ids });
      if (seq !== this.seq) return;
      rememberUsers(response.users);
      this.found = response.users || [];
      this.render();
    } catch (error) {
      if (seq === this.seq) this.status.textContent = error.message;
    }
  }

  /** Draw the people found; the ones picked stay picked from one search to the next. */
  render() {
    if (!this.multiple() && this.selected.size > 1) this.selected = new Map();
    const rows = this.found.map((user) => {
      const uid = String(user._id);
      const input = el("input", {
        type: this.multiple() ? "checkbox" : "radio",
        name: "person",
        value: uid,
        checked: this.selected.has(uid),
        onchange: (event) => {
          if (!this.multiple()) this.selected = new Map();
          if (event.target.checked) this.selected.set(uid, user);
          else this.selected.delete(uid);
          this.renderStatus();
        },
      });
      const login = user.login && displayName(user) !== user.login ? ` (${user.login})` : "";
      return el("li", {}, el("label", { class: "user-result" }, input, ` ${displayName(user)}${login}`));
    });
    this.results.replaceChildren(...rows);
    this.renderStatus();
  }

  renderStatus() {
    const names = [...this.selected.values()].map((user) => displayName(user));
    const picked = names.length ? `Selected: ${names.join(", ")}` : "";
    let found = "";
    if (!this.input.value.trim()) found = names.length ? "" : SEARCH_HINT;
    else found = this.found.length ? `${this.found.length} found. ` : "Nobody found. ";
    this.status.textContent = `${found}${picked}`.trim();
  }

  get ids() {
    return [...this.selected.keys()];
  }
}
