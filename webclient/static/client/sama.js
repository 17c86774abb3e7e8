// The SAMA protocol over one WebSocket, as any external client speaks it: requests with ids,
// their responses, and the frames the server pushes (message, ack, typing, ...). Reconnects.

import { uuid } from "./util.js";

const REQUEST_TIMEOUT_MS = 15000;
const MAX_RETRY_MS = 4000;

export class SamaError extends Error {
  constructor(error) {
    super(error?.message || "Request failed");
    this.status = error?.status || 0;
  }
}

export class SamaSocket extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.ws = null;
    this.pending = new Map(); // request id -> {resolve, reject, timer}
    this.retryMs = 500;
    this.stopped = false;
  }

  /** Open the socket (and keep reopening it after a close until `stop`). */
  open() {
    this.stopped = false;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return this.ready();
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.retryMs = 500;
      this.emit("open");
    });
    ws.addEventListener("message", (event) => this.onFrame(event.data));
    ws.addEventListener("close", () => {
      if (this.ws !== ws) return;
      this.failPending(new SamaError({ status: 0, message: "Connection lost" }));
      this.emit("close");
      if (!this.stopped) {
        setTimeout(() => this.stopped || this.open(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      }
    });
    return this.ready();
  }

  /** Resolves when the socket is open. */
  ready() {
    if (this.ws?.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => this.addEventListener("open", () => resolve(), { once: true }));
  }

  stop() {
    this.stopped = true;
    this.ws?.close();
  }

  get isOpen() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  send(frame) {
    if (!this.isOpen) throw new SamaError({ status: 0, message: "Not connected" });
    this.ws.send(JSON.stringify(frame));
  }

  /** `{request: {<name>: params, id}}`; resolves with the response, rejects with a SamaError. */
  request(name, params = {}) {
    const id = `${uuid()}:${name}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SamaError({ status: 0, message: `${name} timed out` }));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.send({ request: { [name]: params, id } });
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(error);
      }
    });
  }

  failPending(error) {
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.pending.clear();
  }

  onFrame(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.response) {
      const waiting = this.pending.get(frame.response.id);
      if (!waiting) return;
      this.pending.delete(frame.response.id);
      clearTimeout(waiting.timer);
      if (frame.response.error) waiting.reject(new SamaError(frame.response.error));
      else waiting.resolve(frame.response);
      return;
    }
    // The acknowledgement comes spelt both ways in one frame: handle it once.
    if (frame.ack || frame.ask) return this.emit("ack", frame.ack || frame.ask);
    for (const kind of ["message", "message_edit", "message_delete", "message_read", "typing",
      "system_message", "last_activity", "message_reactions_update"]) {
      if (frame[kind]) return this.emit(kind, frame[kind]);
    }
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  on(type, handler) {
    this.addEventListener(type, (event) => handler(event.detail));
  }
}

/** `POST /login` (login + password, or the refresh cookie alone); answers {user, access_token}. */
export async function httpLogin(body) {
  let response;
  try {
    response = await fetch("/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new SamaError({ status: 0, message: "Cannot reach the server" });
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new SamaError(data.error || { status: response.status, message: "Login failed" });
  return data;
}

/** `POST /logout` with the bearer token: ends this device's session and clears the cookie. */
export async function httpLogout(accessToken) {
  try {
    const response = await fetch("/logout", {
      method: "POST",
      credentials: "same-origin",
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    return response.ok;
  } catch {
    return false; // offline: the local sign-out still happens
  }
}
