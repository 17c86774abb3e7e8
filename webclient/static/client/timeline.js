// The shape of the message list: a heading for each day ("Today", "Yesterday", then dates in the
// browser's locale) and consecutive messages of one person grouped under one name and avatar.

import { el } from "./util.js";

const GROUP_GAP_MS = 5 * 60 * 1000; // a pause this long starts a new group

function dayStart(ms) {
  const date = new Date(ms);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

function dayKey(ms) {
  return String(dayStart(ms));
}

/** "Today", "Yesterday", or the date as the browser's locale writes it (with the year if not this one). */
export function dayLabel(ms, now = Date.now()) {
  const today = dayStart(now);
  const day = dayStart(ms);
  if (day === today) return "Today";
  const yesterday = new Date(today);
  yesterday.setDate(yesterday.getDate() - 1);
  if (day === yesterday.getTime()) return "Yesterday";
  const date = new Date(ms);
  const options = { weekday: "long", day: "numeric", month: "long" };
  if (date.getFullYear() !== new Date(now).getFullYear()) options.year = "numeric";
  return date.toLocaleDateString(undefined, options);
}

function separator(ms) {
  // role="none": the list's items stay the messages; the heading lets a screen reader jump by day.
  return el(
    "li",
    { class: "day-separator", role: "none", dataset: { day: dayKey(ms) } },
    el("h3", { class: "day-label" }, dayLabel(ms)),
  );
}

const isSeparator = (node) => node.classList.contains("day-separator");
const isSystem = (li) => li.classList.contains("system");

function continues(li, previous) {
  if (!previous || isSystem(li) || isSystem(previous)) return false;
  if (!li.dataset.from || li.dataset.from !== previous.dataset.from) return false;
  const ms = Number(li.dataset.ms);
  const before = Number(previous.dataset.ms);
  return dayKey(ms) === dayKey(before) && ms - before < GROUP_GAP_MS;
}

/** Put the day headings where they belong and mark the messages that continue a group. Headings
 * already in place are kept (and relabelled at midnight), so the live log does not repeat them. */
export function layoutThread(list) {
  const kept = new Set();
  let previous = null;
  for (const li of [...list.children]) {
    if (isSeparator(li)) continue;
    const ms = Number(li.dataset.ms) || Date.now();
    if (!previous || dayKey(Number(previous.dataset.ms) || Date.now()) !== dayKey(ms)) {
      let heading = li.previousElementSibling;
      if (!heading || !isSeparator(heading) || heading.dataset.day !== dayKey(ms)) {
        heading = separator(ms);
        li.before(heading);
      } else {
        const label = heading.querySelector(".day-label");
        const text = dayLabel(ms);
        if (label.textContent !== text) label.textContent = text;
      }
      kept.add(heading);
    }
    li.classList.toggle("continued", continues(li, previous));
    previous = li;
  }
  for (const heading of list.querySelectorAll(":scope > .day-separator")) {
    if (!kept.has(heading)) heading.remove();
  }
}
