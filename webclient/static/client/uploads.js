// Files to send: picked with the "Attach files" button, dropped on the conversation or pasted.
// Each is declared with SAMA's create_files and its bytes PUT to the URL that answers (an
// XMLHttpRequest, for its upload progress), shown in the tray above the message box and told to
// screen readers. The message is sent with the files' `attachments` once they are all up.

import { announce } from "./announce.js";
import { formatBytes } from "./attachments.js";
import { state } from "./store.js";
import { $, el } from "./util.js";

const FILES_MAX = 10; // attachments a message may carry
const ANNOUNCED_STEPS = 4; // progress is said at 25 %, 50 % and 75 %

/** One file on its way: `state` is waiting, uploading, done or failed; "change" events follow it. */
export class Upload extends EventTarget {
  constructor(file) {
    super();
    this.file = file;
    this.name = file.name || "file";
    this.state = "waiting";
    this.progress = 0;
    this.error = "";
    this.attachment = null;
    this.running = null;
    this.xhr = null;
    this.said = 0;
  }

  set(stateName, progress = this.progress) {
    this.state = stateName;
    this.progress = progress;
    this.dispatchEvent(new Event("change"));
  }

  /** Upload (again, after a failure); resolves with the attachment to send. */
  start() {
    if (this.state === "done") return Promise.resolve(this.attachment);
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  async run() {
    this.error = "";
    this.set("uploading", 0);
    try {
      if (!this.file.size) throw new Error("the file is empty");
      const contentType = (this.file.type || "application/octet-stream").toLowerCase();
      const declare = { name: this.name, size: this.file.size, content_type: contentType };
      const [size, answer] = await Promise.all([imageSize(this.file), state.socket.request("create_files", [declare])]);
      const declared = answer.files[0];
      await this.put(declared.upload_url, declared.content_type);
      this.attachment = {
        file_id: declared.object_id || declared._id,
        file_name: declared.name,
        file_size: declared.size,
        file_content_type: declared.content_type,
        ...size,
      };
      this.set("done", 1);
      announce(`${this.name} uploaded`);
      return this.attachment;
    } catch (failure) {
      this.error = uploadError(failure, this.name);
      this.set("failed");
      announce(`${this.name}: upload failed, ${this.error}`);
      throw new Error(this.error);
    }
  }

  put(url, contentType) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.xhr = xhr;
      xhr.open("PUT", url);
      xhr.setRequestHeader("Content-Type", contentType);
      xhr.upload.addEventListener("progress", (event) => {
        if (!event.lengthComputable) return;
        this.set("uploading", event.loaded / event.total);
        const step = Math.floor(this.progress * ANNOUNCED_STEPS);
        if (step > this.said && step < ANNOUNCED_STEPS) {
          this.said = step;
          announce(`${this.name}: ${Math.round((step / ANNOUNCED_STEPS) * 100)}% uploaded`);
        }
      });
      xhr.addEventListener("load", () => {
        if (xhr.status >= 200 && xhr.status < 300) return resolve();
        let message = `the server answered ${xhr.status}`;
        try {
          message = JSON.parse(xhr.responseText).error.message || message;
        } catch {
          // not JSON: keep the status
        }
        reject(new Error(message));
      });
      xhr.addEventListener("error", () => reject(new Error("the server could not be reached")));
      xhr.addEventListener("abort", () => reject(new Error("cancelled")));
      xhr.send(this.file);
    });
  }

  abort() {
    this.xhr?.abort();
  }
}

/** A create_files refusal in words about this file ("files[0] is larger than …"). */
function uploadError(failure, name) {
  const message = String(failure?.message || "failed");
  const limit = /limit of (\d+) bytes/.exec(message);
  if (limit) return `larger than the limit of ${formatBytes(Number(limit[1]))}`;
  if (/content type .* is not allowed/.test(message)) return "this kind of file is not accepted";
  return message.replace(/^files\[\d+\](\.\w+)?:?\s*/, "").replace(name, "").trim() || "failed";
}

/** An image's pixel size, which lets others keep room for it before it loads. */
async function imageSize(file) {
  if (!/^image\/(png|jpeg|gif|webp|avif|bmp)$/.test(file.type) || !window.createImageBitmap) return {};
  try {
    const bitmap = await createImageBitmap(file);
    const size = { file_width: bitmap.width, file_height: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    return {};
  }
}

// --- the tray above the message box ---------------------------------------------------------------

let tray = []; // the Uploads to go with the next message
let trayList = null;

function trayItem(upload) {
  const progress = el("progress", { max: 100, value: 0, "aria-label": `Upload of ${upload.name}` });
  const note = el("span", { class: "upload-note" });
  const remove = el(
    "button",
    { type: "button", class: "link-button upload-remove", "aria-label": `Remove ${upload.name}`, title: "Remove" },
    el("span", { "aria-hidden": "true" }, "×"),
  );
  const item = el(
    "li",
    { class: "upload" },
    el("span", { class: "upload-name" }, upload.name),
    el("span", { class: "upload-size" }, formatBytes(upload.file.size)),
    progress,
    note,
    remove,
  );
  const show = () => {
    progress.value = Math.round(upload.progress * 100);
    item.dataset.state = upload.state;
    note.textContent = upload.state === "failed" ? upload.error : upload.state === "done" ? "Ready" : "";
  };
  upload.addEventListener("change", show);
  remove.addEventListener("click", () => {
    upload.abort();
    tray = tray.filter((other) => other !== upload);
    const next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    renderTray();
    (next?.querySelector(".upload-remove") || $("attach-button")).focus();
    announce(`${upload.name} removed`);
  });
  show();
  return item;
}

function renderTray() {
  $("attachment-tray").hidden = tray.length === 0;
}

/** Add files to the next message and start uploading them. */
export function addFiles(files) {
  const room = FILES_MAX - tray.length;
  const chosen = [...files].slice(0, Math.max(0, room));
  if (files.length > chosen.length) announce(`At most ${FILES_MAX} files go with one message.`);
  for (const file of chosen) {
    const upload = new Upload(file);
    tray.push(upload);
    trayList.append(trayItem(upload));
    upload.start().catch(() => {}); // the tray shows the failure; sending tries again
  }
  renderTray();
  if (chosen.length) announce(`Uploading ${chosen.length === 1 ? chosen[0].name : `${chosen.length} files`}`);
}

/** The files for the message being sent (the tray empties). */
export function takeUploads() {
  const taken = tray;
  tray = [];
  trayList.replaceChildren();
  renderTray();
  return taken;
}

export const hasUploads = () => tray.length > 0;

/** Another conversation: files chosen for this one are dropped. */
export function clearUploads() {
  for (const upload of takeUploads()) upload.abort();
}

function hasFiles(event) {
  return [...(event.dataTransfer?.types || [])].includes("Files");
}

/** The attach button (with its hidden file input), the tray, and dropping or pasting files. */
export function initUploads() {
  const composer = $("composer");
  const input = el("input", { type: "file", multiple: true, id: "attach-input", hidden: true, tabindex: "-1" });
  const button = el(
    "button",
    { type: "button", id: "attach-button", class: "secondary attach-button", title: "Attach files (or drop them here)" },
    "Attach",
    el("span", { class: "visually-hidden" }, " files"),
  );
  button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    addFiles(input.files);
    input.value = "";
    $("composer-input").focus();
  });
  composer.prepend(button, input);
  trayList = el("ul", { class: "upload-list", "aria-label": "Files to send" });
  const trayBox = el("div", { id: "attachment-tray", class: "attachment-tray", hidden: true }, trayList);
  composer.before(trayBox);

  const pane = $("chat-open");
  let depth = 0; // dragenter/dragleave fire for every child crossed
  const overlay = el("p", { class: "drop-overlay", "aria-hidden": "true" }, "Drop files to attach them");
  pane.append(overlay);
  pane.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth += 1;
    pane.classList.add("dropping");
  });
  pane.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  pane.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) pane.classList.remove("dropping");
  });
  pane.addEventListener("drop", (event) => {
    depth = 0;
    pane.classList.remove("dropping");
    if (!event.dataTransfer?.files?.length) return;
    event.preventDefault();
    addFiles(event.dataTransfer.files);
    $("composer-input").focus();
  });
  $("composer-input").addEventListener("paste", (event) => {
    const files = event.clipboardData?.files;
    if (!files?.length) return;
    event.preventDefault();
    addFiles(files);
  });
}
