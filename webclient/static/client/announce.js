// What screen readers are told about things that happen out of sight of the focus: upload
// progress, a reaction that could not be saved, a message that cannot be shown.

import { el } from "./util.js";

// Made with the page (module scripts run once the body is there): a live region must exist before
// its text changes to be heard. aria-live without role="status": the page's status is the connection's.
const region = el("p", { id: "message-announcer", class: "visually-hidden", "aria-live": "polite" });
document.body.append(region);

/** Say `text` politely. */
export function announce(text) {
  // The same words twice in a row are a change too: clear, then set on the next frame.
  region.textContent = "";
  requestAnimationFrame(() => {
    region.textContent = text;
  });
}
