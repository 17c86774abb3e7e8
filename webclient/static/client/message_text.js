// A message's text as DOM nodes, with http and https addresses made into links. Nothing is parsed
// as HTML: text stays text nodes, and a link is an element built here.

import { el } from "./util.js";

const ADDRESS = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING_PUNCTUATION = new Set([".", ",", ";", ":", "!", "?", "'", '"', "»", "”", "’"]);
const BRACKETS = { ")": "(", "]": "[", "}": "{" };

function count(text, char) {
  return text.split(char).length - 1;
}

/** Drop what ends a sentence rather than the address: the full stop after "see <address>.", the
 * bracket around "(<address>)"; a bracket the address itself opened stays ("…/Foo_(bar)"). */
function trimAddress(raw) {
  let address = raw;
  for (;;) {
    const last = address.at(-1);
    if (TRAILING_PUNCTUATION.has(last)) address = address.slice(0, -1);
    else if (BRACKETS[last] && count(address, last) > count(address, BRACKETS[last])) address = address.slice(0, -1);
    else return address;
  }
}

function safeHref(address) {
  try {
    const url = new URL(address);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** The text as nodes: strings, and links that open in a new tab without telling it where from. */
export function textWithLinks(text) {
  const nodes = [];
  let done = 0;
  for (const match of String(text || "").matchAll(ADDRESS)) {
    const address = trimAddress(match[0]);
    const href = safeHref(address);
    if (!href || match.index < done) continue;
    if (match.index > done) nodes.push(text.slice(done, match.index));
    nodes.push(el("a", { href, target: "_blank", rel: "noopener noreferrer", class: "message-link" }, address));
    done = match.index + address.length;
  }
  if (done < String(text || "").length) nodes.push(String(text).slice(done));
  return nodes;
}

/** One line of a message for a quote: its text shortened, else what it carries. */
export function snippet(message) {
  if (!message) return "Message deleted";
  const text = String(message.body || "").replace(/\s+/g, " ").trim();
  if (text) return text.length > 120 ? `${text.slice(0, 119)}…` : text;
  const files = message.attachments || [];
  if (files.length === 1) return `File: ${files[0].file_name || "unnamed"}`;
  if (files.length > 1) return `${files.length} files`;
  return "Message";
}
