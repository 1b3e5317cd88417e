/**
 * RFC 6455 on the wire, differential: a raw `net` client does the upgrade to
 * `/socket.io/?EIO=4&transport=websocket` and writes hand-built frames; every case runs against
 * socket.io and Socketeer with the same assertions (issue 18, "Correctness first").
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { connect, type Socket as NetSocket } from "node:net";
import { test, type TestContext } from "node:test";
import { constants as zlib, deflateRawSync, inflateRawSync } from "node:zlib";
import { IMPLEMENTATIONS } from "../compat/support.js";
import type { Server, ServerOptions, Socket as CoreSocket } from "../../core/index.js";
import { listen } from "../helpers/listen.js";
import { deferred, once, WAIT_MS, withTimeout, type Deferred } from "../helpers/wait.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455 §1.3
const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
const DEFLATE_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]); // RFC 7692 §7.2.1

/** One frame as read from the server, with its header fields. */
interface Frame {
  fin: boolean;
  rsv1: boolean;
  op: number;
  masked: boolean;
  /** The payload-length field as sent: 0–125, 126 (16-bit length follows) or 127 (64-bit). */
  lenField: number;
  payload: Buffer;
}

interface FrameSpec {
  op: number;
  payload?: Buffer | string;
  fin?: boolean;
  rsv1?: boolean;
  mask?: boolean;
  /** Writes only the header announcing this many bytes (the payload is not sent). */
  announce?: number;
}

/** A client frame (RFC 6455 §5.2): masked unless `mask: false`. */
function frame({ op, payload = "", fin = true, rsv1 = false, mask = true, announce }: FrameSpec): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : payload;
  const len = announce ?? body.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (mask ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | op;
  head[1] = (mask ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  else if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (announce !== undefined) return mask ? Buffer.concat([head, randomBytes(4)]) : head;
  if (!mask) return Buffer.concat([head, body]);
  const key = randomBytes(4);
  key.copy(head, 2 + ext);
  const out = Buffer.alloc(body.length);
  for (let i = 0; i < body.length; i++) out[i] = (body[i] as number) ^ (key[i & 3] as number);
  return Buffer.concat([head, out]);
}

/** A close frame's payload: code and reason. */
function closePayload(code: number, reason: string): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

/** The raw client: the upgrade, then frames read from the socket into a queue. */
class RawClient {
  readonly sock: NetSocket;
  readonly headers: string;
  readonly #frames: Frame[] = [];
  #waiter: Deferred<void> | undefined;
  #buf: Buffer = Buffer.alloc(0);
  /** Settles when the TCP connection has closed. */
  readonly closed: Promise<void>;

  private constructor(sock: NetSocket, headers: string, rest: Buffer) {
    this.sock = sock;
    this.headers = headers;
    this.closed = new Promise<void>((resolve) => sock.once("close", () => resolve()));
    sock.on("error", () => undefined); // "close" follows
    sock.on("close", () => this.#waiter?.resolve());
    sock.on("data", (c: Buffer) => this.#read(c));
    this.#read(rest);
  }

  static async connect(port: number, extensions?: string): Promise<RawClient> {
    const sock = connect({ host: "127.0.0.1", port });
    sock.setNoDelay(true);
    const key = randomBytes(16).toString("base64");
    await once(sock, "connect");
    sock.write(
      `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
        (extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : "") +
        "\r\n",
    );
    let head = Buffer.alloc(0);
    for (;;) {
      const [chunk] = await once<[Buffer]>(sock, "data");
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) continue;
      const text = head.toString("latin1", 0, end);
      assert.match(text, /^HTTP\/1\.1 101 /);
      assert.ok(text.includes(createHash("sha1").update(key + GUID).digest("base64")), "Sec-WebSocket-Accept");
      return new RawClient(sock, text, head.subarray(end + 4));
    }
  }

  send(spec: FrameSpec): void {
    this.sock.write(frame(spec));
  }

  sendText(text: string): void {
    this.send({ op: OP_TEXT, payload: text });
  }

  /** The next frame from the server. */
  async next(ms = WAIT_MS): Promise<Frame> {
    const deadline = Date.now() + ms;
    while (this.#frames.length === 0) {
      if (this.sock.destroyed || this.sock.readableEnded) throw new Error("connection closed, no more frames");
      this.#waiter = deferred();
      await withTimeout(this.#waiter.promise, Math.max(1, deadline - Date.now()), "a frame");
    }
    return this.#frames.shift() as Frame;
  }

  /** The payload of the next frame, as text, asserting it is a final unfragmented text frame. */
  async nextText(ms?: number): Promise<string> {
    const f = await this.next(ms);
    assert.equal(f.op, OP_TEXT, `expected a text frame, got opcode ${f.op}`);
    assert.equal(f.fin, true);
    return f.payload.toString();
  }

  /** Reads frames until a close frame; returns its code (1005 when it has none). */
  async nextClose(ms?: number): Promise<{ code: number; reason: string }> {
    for (;;) {
      const f = await this.next(ms);
      if (f.op !== OP_CLOSE) continue;
      return {
        code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005,
        reason: f.payload.subarray(2).toString(),
      };
    }
  }

  destroy(): void {
    this.sock.destroy();
  }

  #read(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    for (;;) {
      const b = this.#buf;
      if (b.length < 2) break;
      const b0 = b[0] as number;
      const b1 = b[1] as number;
      const lenField = b1 & 0x7f;
      let len = lenField;
      let pos = 2;
      if (lenField === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        pos = 4;
      } else if (lenField === 127) {
        if (b.length < 10) break;
        len = Number(b.readBigUInt64BE(2));
        pos = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      if (masked) pos += 4;
      if (b.length < pos + len) break;
      this.#frames.push({
        fin: (b0 & 0x80) !== 0,
        rsv1: (b0 & 0x40) !== 0,
        op: b0 & 0x0f,
        masked,
        lenField,
        payload: Buffer.from(b.subarray(pos, pos + len)),
      });
      this.#buf = b.subarray(pos + len);
    }
    this.#waiter?.resolve();
  }
}

interface Fixture {
  io: Server;
  port: number;
  /** Raw clients, destroyed before the server closes (a server waits on open connections). */
  clients: RawClient[];
}

async function start(t: TestContext, ServerClass: typeof Server, opts: ServerOptions = {}): Promise<Fixture> {
  const { server, port } = await listen(undefined);
  const io = new ServerClass(server, { pingInterval: 60_000, pingTimeout: 60_000, ...opts });
  io.on("connection", (s) => {
    s.on("echo", (x: unknown, ack: (y: unknown) => void) => ack(x));
  });
  const clients: RawClient[] = [];
  t.after(async () => {
    for (const c of clients) c.destroy();
    await io.close();
  });
  return { io, port, clients };
}

/** A raw client with its engine open packet read (not yet joined to a namespace). */
async function open(t: TestContext, fx: Fixture, extensions?: string): Promise<RawClient> {
  const c = await RawClient.connect(fx.port, extensions);
  fx.clients.push(c);
  const first = await c.next();
  const text = first.rsv1 ? inflate(first.payload).toString() : first.payload.toString();
  assert.match(text, /^0\{"sid":/);
  return c;
}

/** A raw client joined to `/`, with its server-side socket. */
async function joined(t: TestContext, fx: Fixture): Promise<{ c: RawClient; socket: CoreSocket }> {
  const c = await open(t, fx);
  const connected = once<[CoreSocket]>(fx.io, "connection");
  c.sendText("40");
  assert.match(await c.nextText(), /^40\{"sid":/);
  const [socket] = await connected;
  return { c, socket };
}

/** A permessage-deflate payload inflated on its own (no context takeover negotiated). */
function inflate(payload: Buffer): Buffer {
  return inflateRawSync(Buffer.concat([payload, DEFLATE_TAIL]), { finishFlush: zlib.Z_SYNC_FLUSH });
}

for (const { name, Server: ServerClass } of IMPLEMENTATIONS) {
  test(`${name}: an unmasked client frame is a protocol error: close 1002`, async (t) => {
    const fx = await start(t, ServerClass);
    const { c, socket } = await joined(t, fx);
    const gone = once<[string]>(socket, "disconnect");
    c.send({ op: OP_TEXT, payload: '42["echo","x"]', mask: false });
    assert.equal((await c.nextClose()).code, 1002);
    assert.equal((await gone)[0], "transport error");
  });

  test(`${name}: a text message in three fragments is one message (CONNECT, then an event with ack)`, async (t) => {
    const fx = await start(t, ServerClass);
    const c = await open(t, fx);
    const connected = once<[CoreSocket]>(fx.io, "connection");
    c.send({ op: OP_TEXT, payload: "4", fin: false });
    c.send({ op: OP_CONT, payload: "0", fin: true });
    assert.match(await c.nextText(), /^40\{"sid":/);
    await connected;
    c.send({ op: OP_TEXT, payload: '421["ec', fin: false });
    c.send({ op: OP_CONT, payload: 'ho","fr', fin: false });
    c.send({ op: OP_CONT, payload: 'agmented"]', fin: true });
    assert.equal(await c.nextText(), '431["fragmented"]');
  });

  test(`${name}: a ping between two fragments is answered with its payload; the message is still assembled`, async (t) => {
    const fx = await start(t, ServerClass);
    const { c } = await joined(t, fx);
    c.send({ op: OP_TEXT, payload: '427["echo",', fin: false });
    c.send({ op: OP_PING, payload: "mid-message" });
    const pong = await c.next();
    assert.equal(pong.op, OP_PONG);
    assert.equal(pong.fin, true);
    assert.equal(pong.payload.toString(), "mid-message");
    c.send({ op: OP_CONT, payload: '"whole"]', fin: true });
    assert.equal(await c.nextText(), '437["whole"]');
  });

  test(`${name}: ping gets a pong with the same payload; close 1000 with a reason gets a close back, disconnect "transport close"`, async (t) => {
    const fx = await start(t, ServerClass);
    const { c, socket } = await joined(t, fx);
    const payload = randomBytes(125); // the largest control payload (§5.5)
    c.send({ op: OP_PING, payload });
    const pong = await c.next();
    assert.equal(pong.op, OP_PONG);
    assert.deepEqual(pong.payload, payload);
    const gone = once<[string]>(socket, "disconnect");
    c.send({ op: OP_CLOSE, payload: closePayload(1000, "client done") });
    const { code } = await c.nextClose();
    assert.equal(code, 1000);
    assert.equal((await gone)[0], "transport close");
    await withTimeout(c.closed, WAIT_MS, "the TCP close");
  });

  test(`${name}: invalid UTF-8 in a text frame: close 1007`, async (t) => {
    const fx = await start(t, ServerClass);
    const { c, socket } = await joined(t, fx);
    const gone = once<[string]>(socket, "disconnect");
    c.send({ op: OP_TEXT, payload: Buffer.from([0x34, 0x32, 0xff, 0xfe, 0xc3, 0x28]) });
    assert.equal((await c.nextClose()).code, 1007);
    assert.equal((await gone)[0], "transport error");
  });

  test(`${name}: a frame header announcing maxHttpBufferSize + 1 bytes: close 1009 before any payload`, async (t) => {
    const max = 100_000;
    const fx = await start(t, ServerClass, { maxHttpBufferSize: max });
    const { c, socket } = await joined(t, fx);
    const gone = once<[string]>(socket, "disconnect");
    c.send({ op: OP_TEXT, announce: max + 1 }); // the header and mask key only
    assert.equal((await c.nextClose()).code, 1009);
    assert.equal((await gone)[0], "transport error");
  });

  test(`${name}: half-open TCP (no more pongs, no FIN): "ping timeout" after pingInterval + pingTimeout`, async (t) => {
    const fx = await start(t, ServerClass, { pingInterval: 100, pingTimeout: 100 });
    const { c, socket } = await joined(t, fx);
    const since = Date.now();
    const gone = once<[string]>(socket, "disconnect", 2_000);
    assert.equal(await c.nextText(), "2", "the server's ping");
    // the client says nothing more and keeps its end open
    assert.equal((await gone)[0], "ping timeout");
    assert.ok(Date.now() - since >= 190, `closed after ${Date.now() - since} ms`);
    // the server gives up with a closing handshake (a Close frame), not a dropped connection
    await c.nextClose();
  });

  test(`${name}: perMessageDeflate: server frames carry RSV1 and inflate to the packets; a compressed client frame is accepted`, async (t) => {
    const fx = await start(t, ServerClass, { perMessageDeflate: { threshold: 0 } });
    const c = await open(t, fx, "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    assert.match(c.headers, /sec-websocket-extensions: permessage-deflate/i);
    const connected = once<[CoreSocket]>(fx.io, "connection");
    c.sendText("40"); // an uncompressed frame is still allowed
    const ok = await c.next();
    assert.equal(ok.op, OP_TEXT);
    assert.equal(ok.rsv1, true, "RSV1 on a frame over the threshold");
    assert.match(inflate(ok.payload).toString(), /^40\{"sid":/);
    const [socket] = await connected;
    const squeezed = deflateRawSync(Buffer.from('422["echo","' + "z".repeat(3000) + '"]'), { finishFlush: zlib.Z_SYNC_FLUSH });
    assert.deepEqual(squeezed.subarray(-4), DEFLATE_TAIL);
    c.send({ op: OP_TEXT, rsv1: true, payload: squeezed.subarray(0, -4) });
    const ack = await c.next();
    assert.equal(ack.rsv1, true);
    assert.equal(inflate(ack.payload).toString(), '432["' + "z".repeat(3000) + '"]');
    socket.emit("hello", "world");
    const ev = await c.next();
    assert.equal(ev.rsv1, true);
    assert.equal(inflate(ev.payload).toString(), '42["hello","world"]');
  });

  test(`${name}: server frames are unmasked, FIN, opcode 1, with the right length encoding at 125/126/65535/65536 bytes`, async (t) => {
    const fx = await start(t, ServerClass);
    const { c, socket } = await joined(t, fx);
    for (const [size, lenField] of [
      [125, 125],
      [126, 126],
      [65535, 126],
      [65536, 127],
    ] as const) {
      socket.conn.send("x".repeat(size - 1)); // an engine message packet: "4" + the data
      const f = await c.next();
      assert.equal(f.masked, false);
      assert.equal(f.fin, true);
      assert.equal(f.rsv1, false);
      assert.equal(f.op, OP_TEXT);
      assert.equal(f.lenField, lenField, `length field for ${size} bytes`);
      assert.equal(f.payload.length, size);
      assert.equal(f.payload.toString(), "4" + "x".repeat(size - 1));
    }
  });
}
