// What screen readers are told about things that happen out of sight of the focus: upload
// progress, a reaction that could not be saved, a message that cannot be shown.

import { el } from "./util.js";

let region = null;

/** Say `text` politely (a visually hidden status region, made on first use). */
export function announce(text) {
  if (!region) {
    // aria-live without role="status": the page's one status is the connection's.
    region = el("p", { id: "message-announcer", class: "visually-hidden", "aria-live": "polite" });
    document.body.append(region);
  }
  // The same words twice in a row are a change too: clear, then set on the next frame.
  region.textContent = "";
  requestAnimationFrame(() => {
    region.textContent = text;
  });
}
