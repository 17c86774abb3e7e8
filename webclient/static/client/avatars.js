// A person's avatar: their initials on a colour derived from their id, dark enough for white
// initials in light mode and light enough for dark initials in dark mode (4.5:1 either way).

import { state } from "./store.js";
import { el } from "./util.js";

const LIGHT_TEXT = [255, 255, 255]; // the initials in light mode (client.css has no variable for it)
const DARK_TEXT = [17, 20, 24]; // and in dark mode: --bg of the dark theme
const MIN_CONTRAST = 4.5;
const colours = new Map(); // user id -> {light, dark}

function hue(id) {
  let hash = 2166136261; // FNV-1a: a stable spread of ids over the colour wheel
  for (const char of String(id)) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) % 360;
}

function hslToRgb(h, s, l) {
  const a = s * Math.min(l, 1 - l);
  const f = (n) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

function luminance([r, g, b]) {
  const linear = (c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The lightness nearest `start`, stepping by `step`, at which `text` reads on the colour. */
function shade(h, s, start, step, text) {
  let l = start;
  while (l > 0.05 && l < 0.95 && contrast(hslToRgb(h, s, l), text) < MIN_CONTRAST) l += step;
  const [r, g, b] = hslToRgb(h, s, l);
  return `rgb(${r} ${g} ${b})`;
}

function colourOf(id) {
  const key = String(id);
  if (!colours.has(key)) {
    const h = hue(key);
    colours.set(key, { light: shade(h, 0.55, 0.45, -0.02, LIGHT_TEXT), dark: shade(h, 0.6, 0.7, 0.02, DARK_TEXT) });
  }
  return colours.get(key);
}

function firstLetter(text) {
  return Array.from(String(text || "").trim())[0] || "";
}

/** One or two letters: first and last name's initials, else the login's first letter. */
export function initials(userId) {
  const user = state.users.get(String(userId));
  if (!user) return "?";
  const named = firstLetter(user.first_name) + firstLetter(user.last_name);
  return (named || firstLetter(user.login) || "?").toLocaleUpperCase();
}

/** The avatar (decorative: the name is said next to it). */
export function avatar(userId) {
  const node = el("span", { class: "avatar", "aria-hidden": "true" }, initials(userId));
  const { light, dark } = colourOf(userId);
  // Set through the CSSOM: the page's Content-Security-Policy allows no style attributes.
  node.style.setProperty("--avatar-light", light);
  node.style.setProperty("--avatar-dark", dark);
  return node;
}
