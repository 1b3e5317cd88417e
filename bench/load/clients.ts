/**
 * @module bench/load/clients — the lean clients of the load generator. They speak the same wire
 * bytes as the official clients but decode only what the measurement needs (the first bytes of
 * a frame, an ack id, the timestamp of a published message), so the server saturates first.
 *
 * - {@link SioWsClient}: Engine.IO v4 over WebSocket + Socket.IO v5 text packets.
 * - {@link SioPollingClient}: Engine.IO v4 HTTP long-polling + Socket.IO v5 text packets.
 * - {@link JsonWsClient}: plain JSON arrays over WebSocket, for the raw `ws` floor server.
 *
 * The WebSocket clients run over the `ws` library's client or, with `--client raw`, over
 * {@link RawWebSocket} (frames parsed straight from the socket's chunks, for when the load
 * generator's CPU column shows the client saturating).
 */
import { Agent, request } from "node:http";
import { WebSocket, type RawData } from "ws";
import { RawWebSocket } from "./raw-websocket.js";

/** Where clients report what they receive. */
export interface Sink {
  /** One broadcast ("b") delivery. */
  b(): void;
  /** One published message ("msg"); `data` is the published string without quotes. */
  msg(data: string): void;
}

/** What the load generator does with a client, whatever its protocol. */
export interface LeanClient {
  /** Resolves once events can be sent (Socket.IO CONNECT acknowledged, or WebSocket open). */
  connect(): Promise<void>;
  /** Joins `room`; resolves on the server's ack. */
  join(room: string): Promise<void>;
  /** Emits an echo of `dataJson` (already JSON) with an ack; `onAck` runs when it comes back. */
  echo(dataJson: string, onAck: () => void): void;
  /** Publishes `dataJson` to `room` (no ack). */
  publish(room: string, dataJson: string): void;
  /** Closes the connection; a returned promise settles once the close was sent. */
  close(): Promise<void> | void;
}

const CH_0 = 0x30;
const CH_1 = 0x31;
const CH_2 = 0x32;
const CH_3 = 0x33;
const CH_4 = 0x34;
const CH_9 = 0x39;
const CH_B = 0x62;
const CH_M = 0x6d;
const CH_A = 0x61;

/** Reads the decimal number starting at `from` in a frame. */
function readId(d: Buffer, from: number): number {
  let id = 0;
  for (let i = from; i < d.length; i++) {
    const c = d[i] ?? 0;
    if (c < CH_0 || c > CH_9) break;
    id = id * 10 + (c - CH_0);
  }
  return id;
}

function toBuffer(data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** Ack bookkeeping shared by the clients. */
class Acks {
  readonly #pending = new Map<number, () => void>();
  #next = 0;

  add(fn: () => void): number {
    const id = this.#next++;
    this.#pending.set(id, fn);
    return id;
  }

  settle(id: number): void {
    const fn = this.#pending.get(id);
    if (!fn) return;
    this.#pending.delete(id);
    fn();
  }
}

/** Which WebSocket client the lean clients use. */
export type WsImpl = "raw" | "ws";

/** The part of a WebSocket the lean clients use. */
interface FrameSocket {
  send(text: string): void;
  close(): void;
}

/**
 * Starts a WebSocket to `url` with the chosen client; `onMessage` gets each message's bytes,
 * `onClose` runs when it closes.
 */
function openFrameSocket(impl: WsImpl, url: string, onMessage: (d: Buffer) => void, onClose: () => void): { socket: FrameSocket; opened: Promise<void> } {
  if (impl === "raw") {
    const u = new URL(url);
    const raw = new RawWebSocket(u.hostname, Number(u.port), `${u.pathname}${u.search}`, onMessage);
    raw.onClose(onClose);
    return { socket: raw, opened: raw.opened };
  }
  const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
  ws.on("message", (data) => onMessage(toBuffer(data)));
  ws.on("close", onClose);
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.on("error", reject); // after "open" a no-op; "close" follows an error
  });
  return { socket: { send: (t) => ws.send(t), close: () => ws.close() }, opened };
}

/** Socket.IO over an Engine.IO WebSocket-only session (no polling, no upgrade). */
export class SioWsClient implements LeanClient {
  readonly #url: string;
  readonly #sink: Sink;
  readonly #impl: WsImpl;
  readonly #acks = new Acks();
  #ws: FrameSocket | undefined;
  #onConnect: ((err?: Error) => void) | undefined;

  /** @param origin `http://host:port` of the server */
  constructor(origin: string, sink: Sink, impl: WsImpl = "ws") {
    this.#url = `${origin.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
    this.#sink = sink;
    this.#impl = impl;
  }

  connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#onConnect = (err) => {
        this.#onConnect = undefined;
        if (err) reject(err);
        else resolve();
      };
      const { socket, opened } = openFrameSocket(this.#impl, this.#url, (d) => this.#onFrame(d),
        () => this.#onConnect?.(new Error("closed before the Socket.IO CONNECT")));
      this.#ws = socket;
      opened.catch((err: unknown) => this.#onConnect?.(err instanceof Error ? err : new Error(String(err))));
    });
  }

  join(room: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const id = this.#acks.add(resolve);
      this.#ws?.send(`42${id}["join",${JSON.stringify(room)}]`);
    });
  }

  echo(dataJson: string, onAck: () => void): void {
    this.#ws?.send(`42${this.#acks.add(onAck)}["echo",${dataJson}]`);
  }

  publish(room: string, dataJson: string): void {
    this.#ws?.send(`42["pub",${JSON.stringify(room)},${dataJson}]`);
  }

  close(): void {
    this.#ws?.close();
  }

  #onFrame(d: Buffer): void {
    const c0 = d[0];
    if (c0 === CH_4) {
      const c1 = d[1];
      if (c1 === CH_2) {
        // 42["b",…] or 42["msg","…"]: the event name's first letter is at index 4.
        const c = d[4];
        if (c === CH_B) this.#sink.b();
        else if (c === CH_M) this.#sink.msg(d.toString("latin1", 10, d.length - 2));
      } else if (c1 === CH_3) {
        this.#acks.settle(readId(d, 2));
      } else if (c1 === CH_0) {
        this.#onConnect?.();
      } else if (c1 === CH_4) {
        this.#onConnect?.(new Error(`connect_error: ${d.toString()}`));
      }
    } else if (c0 === CH_2) {
      this.#ws?.send("3"); // Engine.IO ping → pong
    } else if (c0 === CH_0) {
      this.#ws?.send("40"); // Engine.IO open → Socket.IO CONNECT to "/"
    } else if (c0 === CH_1) {
      this.#ws?.close();
    }
  }
}

/** Plain JSON arrays over WebSocket, for the `ws` floor server. */
export class JsonWsClient implements LeanClient {
  readonly #url: string;
  readonly #sink: Sink;
  readonly #impl: WsImpl;
  readonly #acks = new Acks();
  #ws: FrameSocket | undefined;

  /** @param origin `http://host:port` of the server */
  constructor(origin: string, sink: Sink, impl: WsImpl = "ws") {
    this.#url = `${origin.replace(/^http/, "ws")}/`;
    this.#sink = sink;
    this.#impl = impl;
  }

  connect(): Promise<void> {
    const { socket, opened } = openFrameSocket(this.#impl, this.#url, (d) => this.#onFrame(d), () => undefined);
    this.#ws = socket;
    return opened;
  }

  join(room: string): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#ws?.send(`["join",${JSON.stringify(room)},${this.#acks.add(resolve)}]`);
    });
  }

  echo(dataJson: string, onAck: () => void): void {
    this.#ws?.send(`["echo",${dataJson},${this.#acks.add(onAck)}]`);
  }

  publish(room: string, dataJson: string): void {
    this.#ws?.send(`["pub",${JSON.stringify(room)},${dataJson}]`);
  }

  close(): void {
    this.#ws?.close();
  }

  #onFrame(d: Buffer): void {
    // ["b",…] / ["msg","…"] / ["ack",id…]: the name's first letter is at index 2.
    const c = d[2];
    if (c === CH_B) this.#sink.b();
    else if (c === CH_M) this.#sink.msg(d.toString("latin1", 8, d.length - 2));
    else if (c === CH_A) this.#acks.settle(readId(d, 7));
  }
}

/** Sends one HTTP request and resolves with the response body as text. */
function httpText(agent: Agent, method: "GET" | "POST", url: string, body?: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const req = request(url, {
      method,
      agent,
      headers: body === undefined ? {} : { "content-type": "text/plain;charset=UTF-8", "content-length": Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) reject(new Error(`${method} ${res.statusCode}: ${text.slice(0, 200)}`));
        else resolve(text);
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Socket.IO over Engine.IO HTTP long-polling: one GET always pending, one POST at a time. */
export class SioPollingClient implements LeanClient {
  readonly #base: string;
  readonly #sink: Sink;
  readonly #agent: Agent;
  readonly #acks = new Acks();
  #url = "";
  #queue: string[] = [];
  #posting = false;
  #closed = false;
  #onConnect: ((err?: Error) => void) | undefined;
  #closeDone: (() => void) | undefined;

  /**
   * @param origin `http://host:port` of the server
   * @param agent a keep-alive agent shared by the polling clients
   */
  constructor(origin: string, sink: Sink, agent: Agent) {
    this.#base = `${origin}/socket.io/?EIO=4&transport=polling`;
    this.#sink = sink;
    this.#agent = agent;
  }

  async connect(): Promise<void> {
    const open = await httpText(this.#agent, "GET", this.#base);
    if (!open.startsWith("0")) throw new Error(`unexpected handshake: ${open.slice(0, 100)}`);
    const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
    this.#url = `${this.#base}&sid=${encodeURIComponent(sid)}`;
    const connected = new Promise<void>((resolve, reject) => {
      this.#onConnect = (err) => {
        this.#onConnect = undefined;
        if (err) reject(err);
        else resolve();
      };
    });
    this.#send("40");
    this.#poll();
    await connected;
  }

  join(room: string): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#send(`42${this.#acks.add(resolve)}["join",${JSON.stringify(room)}]`);
    });
  }

  echo(dataJson: string, onAck: () => void): void {
    this.#send(`42${this.#acks.add(onAck)}["echo",${dataJson}]`);
  }

  publish(room: string, dataJson: string): void {
    this.#send(`42["pub",${JSON.stringify(room)},${dataJson}]`);
  }

  /** Sends the Engine.IO close packet; resolves once it was posted (or the post failed). */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise<void>((resolve) => {
      this.#closeDone = resolve;
      this.#send("1"); // Engine.IO close: the server ends the session and answers the pending GET
    });
  }

  #send(packet: string): void {
    this.#queue.push(packet);
    if (!this.#posting) this.#flush();
  }

  #flush(): void {
    if (this.#queue.length === 0) return;
    // Engine.IO v4 payloads join packets with the record separator (protocol §"HTTP long-polling").
    const body = this.#queue.join("\x1e");
    this.#queue = [];
    this.#posting = true;
    const posted = (): void => {
      this.#posting = false;
      if (this.#queue.length > 0) this.#flush();
      else if (this.#closed) this.#closeDone?.();
    };
    httpText(this.#agent, "POST", this.#url, body).then(posted, (err: unknown) => {
      this.#fail(err);
      this.#queue = [];
      posted();
    });
  }

  #poll(): void {
    if (this.#closed) return;
    httpText(this.#agent, "GET", this.#url).then(
      (body) => {
        for (const packet of body.split("\x1e")) this.#onPacket(packet);
        this.#poll();
      },
      (err: unknown) => this.#fail(err),
    );
  }

  #fail(err: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onConnect?.(err instanceof Error ? err : new Error(String(err)));
  }

  #onPacket(p: string): void {
    const c0 = p.charCodeAt(0);
    if (c0 === CH_4) {
      const c1 = p.charCodeAt(1);
      if (c1 === CH_2) {
        const c = p.charCodeAt(4);
        if (c === CH_B) this.#sink.b();
        else if (c === CH_M) this.#sink.msg(p.slice(10, -2));
      } else if (c1 === CH_3) {
        this.#acks.settle(Number.parseInt(p.slice(2), 10));
      } else if (c1 === CH_0) {
        this.#onConnect?.();
      } else if (c1 === CH_4) {
        this.#onConnect?.(new Error(`connect_error: ${p}`));
      }
    } else if (c0 === CH_2) {
      this.#send("3");
    } else if (c0 === CH_1) {
      this.#closed = true;
    }
  }
}
