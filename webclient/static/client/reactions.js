// Reactions: the counts under a message (one's own pressed; pressing one toggles it), the small
// picker behind "React", and the changes others make, live (SAMA's message_reactions_update).

import { announce } from "./announce.js";
import { state } from "./store.js";
import { el } from "./util.js";

export const CHOICES = [
  ["👍", "Thumbs up"],
  ["❤️", "Heart"],
  ["😂", "Laughing"],
  ["😮", "Surprised"],
  ["😢", "Sad"],
  ["🙏", "Thank you"],
];
const NAMES = new Map(CHOICES);

const summaries = new WeakMap(); // message list item -> {own: Set, total: Map(reaction -> count)}

const nameOf = (reaction) => NAMES.get(reaction) || reaction;
const itemById = (id) => document.querySelector(`#message-list li[data-id="${CSS.escape(String(id))}"]`);

function summaryOf(li) {
  if (!summaries.has(li)) summaries.set(li, { own: new Set(), total: new Map() });
  return summaries.get(li);
}

function chip(li, reaction, count, mine) {
  const label = `${nameOf(reaction)}: ${count}`;
  return el(
    "button",
    {
      type: "button",
      class: "reaction",
      "aria-pressed": mine ? "true" : "false",
      "aria-label": label,
      title: mine ? `${label}, yours (press to take it back)` : label,
      dataset: { reaction },
      onclick: () => toggle(li, reaction),
    },
    el("span", { class: "reaction-emoji", "aria-hidden": "true" }, reaction),
    el("span", { class: "reaction-count", "aria-hidden": "true" }, String(count)),
  );
}

function render(li) {
  const { own, total } = summaryOf(li);
  const focused = document.activeElement?.closest?.(".reaction")?.dataset.reaction;
  const chips = [...total].filter(([, count]) => count > 0).map(([r, count]) => chip(li, r, count, own.has(r)));
  let bar = li.querySelector(".reactions");
  if (!chips.length) {
    bar?.remove();
    return;
  }
  if (!bar) {
    bar = el("div", { class: "reactions", role: "group", "aria-label": "Reactions" });
    li.querySelector(".bubble").after(bar);
  }
  bar.replaceChildren(...chips);
  if (focused) bar.querySelector(`[data-reaction="${CSS.escape(focused)}"]`)?.focus();
}

/** A message's reactions as message_list has them: `{}` or `{own: [...], total: {reaction: count}}`. */
export function setReactions(li, reactions) {
  summaries.set(li, {
    own: new Set(reactions?.own || []),
    total: new Map(Object.entries(reactions?.total || {}).map(([r, n]) => [r, Number(n)])),
  });
  render(li);
}

function change(li, { add = null, remove = null, mine }) {
  const { own, total } = summaryOf(li);
  if (remove !== null && (!mine || own.has(remove))) {
    total.set(remove, Math.max(0, (total.get(remove) || 0) - 1));
    if (!total.get(remove)) total.delete(remove);
    if (mine) own.delete(remove);
  }
  if (add !== null && (!mine || !own.has(add))) {
    total.set(add, (total.get(add) || 0) + 1);
    if (mine) own.add(add);
  }
  render(li);
}

/** Put on or take back one's reaction: shown at once, undone if the server refuses. */
async function toggle(li, reaction) {
  const mid = li.dataset.id;
  if (!mid) return;
  const taking = summaryOf(li).own.has(reaction);
  const request = taking ? { remove: reaction } : { add: reaction };
  change(li, { ...request, mine: true });
  try {
    await state.socket.request("message_reactions_update", { mid, ...request });
    announce(taking ? `${nameOf(reaction)} taken back` : `Reacted with ${nameOf(reaction)}`);
  } catch (error) {
    change(li, taking ? { add: reaction, mine: true } : { remove: reaction, mine: true });
    announce(`The reaction was not saved: ${error.message}`);
  }
}

/** `message_reactions_update` from another person (or another device of one's own). */
export function onReactionsUpdate(update) {
  const li = itemById(update.mid);
  if (!li) return;
  const mine = String(update.from) === String(state.me?._id);
  change(li, { add: update.add ?? null, remove: update.remove ?? null, mine });
}

/** The picker in place of a message's actions; Escape or a choice puts them back. */
export function showPicker(li, box, restore) {
  const own = summaryOf(li).own;
  const close = () => {
    restore();
    li.querySelector(".message-actions .react-button")?.focus();
  };
  const choices = CHOICES.map(([reaction, name]) =>
    el(
      "button",
      {
        type: "button",
        class: "reaction-choice",
        "aria-label": name,
        "aria-pressed": own.has(reaction) ? "true" : "false",
        title: name,
        onclick: () => {
          close();
          toggle(li, reaction);
        },
      },
      el("span", { "aria-hidden": "true" }, reaction),
    ),
  );
  const picker = el("div", { class: "reaction-picker", role: "group", "aria-label": "Choose a reaction" }, ...choices);
  picker.addEventListener("keydown", (event) => {
    const at = choices.indexOf(document.activeElement);
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // not the phone layout's "back to the list"
      close();
    } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      const step = event.key === "ArrowRight" ? 1 : -1;
      choices[(at + step + choices.length) % choices.length].focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      choices[event.key === "Home" ? 0 : choices.length - 1].focus();
    }
  });
  const cancel = el("button", { type: "button", class: "link-button", onclick: close }, "Cancel");
  box.replaceChildren(picker, cancel);
  choices[0].focus();
}
