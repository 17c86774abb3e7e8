// A message's attachments: images shown scaled (a click opens them full size in a dialog), other
// files as a download link with name and size. Download URLs come from SAMA's get_file_urls,
// asked for in batches and kept until shortly before they expire.

import { state } from "./store.js";
import { el } from "./util.js";

const URLS_PER_REQUEST = 50; // get_file_urls' limit
const URL_FRESH_MS = 45 * 60 * 1000; // the server's URLs work for an hour (ATTACHMENT_DOWNLOAD_URL_TTL)
const THUMB_MAX = 320; // CSS pixels, either side
const IMAGE_EXTENSIONS = /\.(png|jpe?g|gif|webp|avif|bmp)$/i;

const urls = new Map(); // file id -> {url, at}
let waiting = new Map(); // file id -> [{resolve, reject}], asked for together on the next turn

export function formatBytes(bytes) {
  const size = Number(bytes);
  if (!Number.isFinite(size) || size < 0) return "";
  if (size < 1024) return `${size} ${size === 1 ? "byte" : "bytes"}`;
  const format = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
  for (const [unit, scale] of [["GB", 1024 ** 3], ["MB", 1024 ** 2], ["KB", 1024]]) {
    if (size >= scale) return `${format.format(size / scale)} ${unit}`;
  }
  return "";
}

export function isImage(attachment) {
  const type = String(attachment.file_content_type || attachment.content_type || "");
  if (type) return /^image\/(png|jpeg|gif|webp|avif|bmp)$/.test(type);
  return IMAGE_EXTENSIONS.test(String(attachment.file_name || ""));
}

async function requestUrls(ids) {
  const response = await state.socket.request("get_file_urls", { file_ids: ids });
  const found = response.file_urls || {};
  // This server answers an object keyed by id; the document shows a list in the order asked.
  return Array.isArray(found) ? Object.fromEntries(ids.map((id, i) => [id, found[i]])) : found;
}

async function flush() {
  const batch = waiting;
  waiting = new Map();
  const ids = [...batch.keys()];
  for (let start = 0; start < ids.length; start += URLS_PER_REQUEST) {
    const chunk = ids.slice(start, start + URLS_PER_REQUEST);
    let found = {};
    try {
      found = await requestUrls(chunk);
    } catch (error) {
      // One unknown id fails the whole request: ask for each alone, so the others still show.
      if (chunk.length === 1) found = { [chunk[0]]: error };
      else for (const id of chunk) found[id] = await requestUrls([id]).then((one) => one[id], (failure) => failure);
    }
    for (const id of chunk) {
      const url = found[id];
      for (const { resolve, reject } of batch.get(id)) {
        if (typeof url === "string") resolve(url);
        else reject(url instanceof Error ? url : new Error("File not found"));
      }
      if (typeof url === "string") urls.set(id, { url, at: Date.now() });
    }
  }
}

/** A download URL for the file (cached while fresh; the ids asked for in one turn share a request). */
export function fileUrl(fileId) {
  const id = String(fileId);
  const known = urls.get(id);
  if (known && Date.now() - known.at < URL_FRESH_MS) return Promise.resolve(known.url);
  return new Promise((resolve, reject) => {
    if (!waiting.size) setTimeout(flush);
    if (!waiting.has(id)) waiting.set(id, []);
    waiting.get(id).push({ resolve, reject });
  });
}

const isFresh = (id) => Date.now() - (urls.get(String(id))?.at || 0) < URL_FRESH_MS;

function thumbSize(attachment) {
  const width = Number(attachment.file_width);
  const height = Number(attachment.file_height);
  if (!(width > 0 && height > 0)) return null;
  const scale = Math.min(1, THUMB_MAX / width, THUMB_MAX / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function imageNode(attachment) {
  const name = attachment.file_name || "Image";
  const size = thumbSize(attachment);
  // width and height keep the list from jumping as images arrive.
  const img = el("img", { alt: name, class: "attachment-thumb", decoding: "async", ...(size || {}) });
  if (!size) img.classList.add("unsized");
  const button = el(
    "button",
    { type: "button", class: "attachment-image", title: "Open full size" },
    img,
    el("span", { class: "visually-hidden" }, ", open full size"),
  );
  button.addEventListener("click", () => openViewer(attachment, button));
  fileUrl(attachment.file_id).then(
    (url) => {
      img.src = url;
    },
    () => button.replaceWith(fileNode(attachment, "not available")),
  );
  img.addEventListener("error", () => {
    if (button.isConnected) button.replaceWith(fileNode(attachment, "not available"));
  });
  return button;
}

/** The file's kind at a glance: its extension ("PDF"), drawn as a small badge. */
function kindBadge(name) {
  const extension = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1] || "file";
  return el("span", { class: "attachment-kind", "aria-hidden": "true" }, extension.toUpperCase());
}

function fileNode(attachment, problem = "") {
  const name = attachment.file_name || "File";
  const size = formatBytes(attachment.file_size ?? attachment.size);
  const parts = [
    kindBadge(name),
    el("span", { class: "attachment-name" }, name),
    size ? el("span", { class: "visually-hidden" }, ", ") : null,
    size ? el("span", { class: "attachment-size" }, size) : null,
    problem ? el("span", { class: "attachment-problem" }, `(${problem})`) : null,
  ];
  if (problem) return el("span", { class: "attachment-file unavailable" }, ...parts);
  const link = el("a", { class: "attachment-file", download: name, target: "_blank", rel: "noopener" }, ...parts);
  fileUrl(attachment.file_id).then(
    (url) => link.setAttribute("href", url),
    () => link.replaceWith(fileNode(attachment, "not available")),
  );
  link.addEventListener("click", async (event) => {
    if (isFresh(attachment.file_id) || !link.hasAttribute("href")) return;
    event.preventDefault(); // the URL is about to expire: get a new one, then follow it
    link.setAttribute("href", await fileUrl(attachment.file_id));
    link.click();
  });
  return link;
}

/** A file of a message not sent yet: its name, size and upload progress. */
function pendingNode(upload) {
  const progress = el("progress", { max: 100, value: 0, "aria-label": `Upload of ${upload.name}` });
  const show = () => {
    progress.value = Math.round(upload.progress * 100);
    node.classList.toggle("failed", upload.state === "failed");
  };
  const node = el(
    "span",
    { class: "attachment-file pending" },
    kindBadge(upload.name),
    el("span", { class: "attachment-name" }, upload.name),
    el("span", { class: "visually-hidden" }, ", "),
    el("span", { class: "attachment-size" }, formatBytes(upload.file.size)),
    progress,
  );
  upload.addEventListener("change", show);
  show();
  return node;
}

/** The attachments of a message; `uploads` while its files are still on their way. */
export function attachmentsNode(attachments, { uploads = null } = {}) {
  const items = uploads?.length ? uploads.map(pendingNode) : (attachments || []).map(
    (attachment) => (attachment.file_id && isImage(attachment) ? imageNode(attachment) : fileNode(attachment)),
  );
  if (!items.length) return null;
  return el("div", { class: "attachments" }, ...items.map((item) => el("div", { class: "attachment" }, item)));
}

// --- the full-size image -------------------------------------------------------------------------

let viewer = null;

function viewerDialog() {
  if (viewer) return viewer;
  const title = el("h2", { id: "image-viewer-title", class: "image-viewer-title" });
  const link = el("a", { class: "image-viewer-link", target: "_blank", rel: "noopener" }, "Open in a new tab");
  const close = el("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, "Close");
  const img = el("img", { class: "image-viewer-image", alt: "" });
  const dialog = el(
    "dialog",
    { class: "dialog image-viewer", "aria-labelledby": "image-viewer-title" },
    el("div", { class: "image-viewer-bar" }, title, link, close),
    el("div", { class: "image-viewer-body" }, img),
  );
  // A click on the backdrop (the dialog itself, outside its content) closes it.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  document.body.append(dialog);
  viewer = { dialog, title, link, img, opener: null };
  dialog.addEventListener("close", () => {
    viewer.img.removeAttribute("src");
    viewer.opener?.focus();
  });
  return viewer;
}

async function openViewer(attachment, opener) {
  const url = await fileUrl(attachment.file_id);
  const parts = viewerDialog();
  parts.opener = opener;
  parts.title.textContent = attachment.file_name || "Image";
  parts.img.alt = attachment.file_name || "Image";
  parts.img.src = url;
  parts.link.href = url;
  parts.dialog.showModal();
}
