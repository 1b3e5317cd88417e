/**
 * @module bench/load/raw-websocket — a minimal RFC 6455 client over `node:net` for the load
 * generator: the upgrade handshake, masked text frames out, and frames in parsed straight from
 * the socket's chunks (no per-frame event or copy), so one client core can absorb the deliveries
 * of a fast server. Only what a benchmark client needs: no extensions, no subprotocols, no TLS.
 */
import { createHash, randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455 §1.3
const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const EMPTY = Buffer.alloc(0);

/** Called with each complete text or binary message; `data` is a view valid only during the call. */
export type MessageHandler = (data: Buffer) => void;

/** One client WebSocket; it starts connecting when constructed, like the `ws` client. */
export class RawWebSocket {
  readonly #sock: Socket;
  readonly #onMessage: MessageHandler;
  #pending: Buffer = EMPTY;
  #fragments: Buffer[] = [];
  #closed = false;
  #onClose: (() => void) | undefined;
  /**
   * Settles when the upgrade is done.
   * @throws Error when the connection fails or the server does not answer 101 with the right accept key
   */
  readonly opened: Promise<void>;

  /** Opens `ws://host:port{path}`; `onMessage` gets every text or binary message. */
  constructor(host: string, port: number, path: string, onMessage: MessageHandler) {
    this.#onMessage = onMessage;
    const key = randomBytes(16).toString("base64");
    const sock = connect({ host, port });
    this.#sock = sock;
    sock.setNoDelay(true);
    sock.on("close", () => {
      this.#closed = true;
      this.#onClose?.();
    });
    this.opened = new Promise<void>((resolve, reject) => {
      let head: Buffer = EMPTY;
      const fail = (err: Error): void => {
        sock.destroy();
        reject(err);
      };
      const onHandshake = (chunk: Buffer): void => {
        head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        sock.off("data", onHandshake);
        sock.off("error", fail);
        sock.on("error", () => undefined); // "close" follows
        const text = head.toString("latin1", 0, end);
        const accept = createHash("sha1").update(key + GUID).digest("base64");
        if (!text.startsWith("HTTP/1.1 101")) return fail(new Error(`upgrade refused: ${text.split("\r\n")[0] ?? ""}`));
        if (!text.includes(accept)) return fail(new Error("wrong Sec-WebSocket-Accept"));
        sock.on("data", (c: Buffer) => this.#read(c));
        resolve();
        if (head.length > end + 4) this.#read(head.subarray(end + 4));
      };
      sock.on("data", onHandshake);
      sock.on("error", fail);
      sock.once("close", () => reject(new Error("closed during the upgrade"))); // no-op once resolved
      sock.on("connect", () => {
        sock.write(
          `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
    });
  }

  /** Calls `fn` once the connection has closed. */
  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#onClose = fn;
  }

  /** Sends a text message in one masked frame. */
  send(text: string): void {
    if (this.#closed) return;
    this.#sock.write(frame(OP_TEXT, Buffer.from(text)));
  }

  /** Sends a close frame and ends the connection. */
  close(): void {
    if (this.#closed) return;
    this.#sock.end(frame(OP_CLOSE, Buffer.from([0x03, 0xe8]))); // 1000 normal closure
  }

  #read(chunk: Buffer): void {
    let buf = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    let at = 0;
    for (;;) {
      if (buf.length - at < 2) break;
      const b0 = buf[at] as number;
      const b1 = buf[at + 1] as number;
      let len = b1 & 0x7f;
      let pos = at + 2;
      if (len === 126) {
        if (buf.length - at < 4) break;
        len = buf.readUInt16BE(pos);
        pos += 2;
      } else if (len === 127) {
        if (buf.length - at < 10) break;
        len = buf.readUInt32BE(pos) * 2 ** 32 + buf.readUInt32BE(pos + 4);
        pos += 8;
      }
      // Servers never mask (RFC 6455 §5.1); a masked frame is skipped with its key.
      const masked = (b1 & 0x80) !== 0;
      if (masked) pos += 4;
      if (buf.length < pos + len) break;
      this.#frame(b0, buf.subarray(pos, pos + len), masked);
      at = pos + len;
    }
    this.#pending = at === buf.length ? EMPTY : buf.subarray(at);
    buf = EMPTY;
  }

  #frame(b0: number, payload: Buffer, masked: boolean): void {
    const fin = (b0 & 0x80) !== 0;
    const op = b0 & 0x0f;
    if (masked) return;
    if (op === OP_TEXT || op === OP_BINARY || op === OP_CONT) {
      if (fin && this.#fragments.length === 0) {
        this.#onMessage(payload);
        return;
      }
      this.#fragments.push(Buffer.from(payload));
      if (fin) {
        const whole = Buffer.concat(this.#fragments);
        this.#fragments = [];
        this.#onMessage(whole);
      }
    } else if (op === OP_PING) {
      if (!this.#closed) this.#sock.write(frame(0xa, payload));
    } else if (op === OP_CLOSE) {
      this.close();
    }
  }
}

/** A masked client frame (RFC 6455 §5.2–5.3). */
function frame(op: number, payload: Buffer): Buffer {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65_536 ? 2 : 8;
  const out = Buffer.allocUnsafe(2 + ext + 4 + len);
  out[0] = 0x80 | op;
  if (ext === 0) out[1] = 0x80 | len;
  else if (ext === 2) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    out.writeUInt32BE(len >>> 0, 6);
  }
  const k = 2 + ext;
  const mask = (Math.random() * 2 ** 32) >>> 0;
  out.writeUInt32BE(mask, k);
  const data = k + 4;
  for (let i = 0; i < len; i++) out[data + i] = (payload[i] as number) ^ (out[k + (i & 3)] as number);
  return out;
}
