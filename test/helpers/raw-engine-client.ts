/**
 * @module test/helpers/raw-engine-client — a minimal Engine.IO v4 client for wire-level assertions.
 *
 * Polling over node:http (no keep-alive agent, so nothing lingers) and WebSocket over `ws`.
 * It does nothing on its own: no pong, no upgrade, no reconnection — the test drives each step.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";
import { gunzipSync, inflateSync } from "node:zlib";
import { WebSocket } from "ws";
import type { TestContext } from "node:test";
import { Server, type EngineOptions } from "../../core/engine/index.js";
import { listen } from "./listen.js";
import { WAIT_MS } from "./wait.js";

/** A running engine attached to a fresh HTTP server on 127.0.0.1. */
export interface EngineFixture {
  engine: Server;
  http: import("node:http").Server;
  port: number;
  /** `http://127.0.0.1:<port>/engine.io/` */
  base: string;
  /** `ws://127.0.0.1:<port>/engine.io/` */
  wsBase: string;
}

/**
 * Starts an engine on a fresh server; closes both after the test.
 *
 * @param t the test context
 * @param opts engine options
 * @returns the fixture
 */
export async function startEngine(t: Pick<TestContext, "after">, opts?: EngineOptions): Promise<EngineFixture> {
  const engine = new Server(opts);
  const { server, port } = await listen(undefined);
  engine.attach(server);
  t.after(async () => {
    engine.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
  const path = engine.opts.path;
  return {
    engine,
    http: server,
    port,
    base: `http://127.0.0.1:${port}${path}/`,
    wsBase: `ws://127.0.0.1:${port}${path}/`,
  };
}

/** An HTTP answer, body decoded as text (gzip/deflate undone). */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The handshake data of an `open` packet. */
export interface OpenData {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}

/** Options of one raw HTTP request. */
export interface RawRequestOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  /** Send the body with chunked encoding instead of Content-Length. */
  chunked?: boolean;
  /** Abort the request after this signal fires. */
  signal?: AbortSignal;
}

/**
 * Sends one HTTP request on a fresh connection.
 *
 * @param url absolute URL
 * @param opts method, headers, body
 * @returns status, headers and text body
 */
export function rawRequest(url: string, opts: RawRequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...opts.headers };
    if (opts.body !== undefined && !opts.chunked) headers["Content-Length"] = Buffer.byteLength(opts.body);
    const req = httpRequest(url, { method: opts.method ?? "GET", headers, agent: false, signal: opts.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        let raw = Buffer.concat(chunks);
        const enc = res.headers["content-encoding"];
        if (enc === "gzip") raw = gunzipSync(raw);
        else if (enc === "deflate") raw = inflateSync(raw);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString("utf8") });
      });
    });
    req.on("error", reject);
    if (opts.body !== undefined) {
      if (opts.chunked) req.setHeader("Transfer-Encoding", "chunked");
      req.end(opts.body);
    } else {
      req.end();
    }
  });
}

/** Decodes the body of a handshake answer (`0{...}`). */
export function parseOpen(body: string): OpenData {
  if (!body.startsWith("0")) throw new Error(`not an open packet: ${body.slice(0, 80)}`);
  return JSON.parse(body.slice(1)) as OpenData;
}

/** A polling session driven step by step. */
export class RawPolling {
  readonly base: string;
  sid = "";
  open: OpenData | undefined;

  /** @param base e.g. `http://127.0.0.1:1234/engine.io/` */
  constructor(base: string) {
    this.base = base;
  }

  /** The URL of this session's requests (plus extra query). */
  url(extra = ""): string {
    return `${this.base}?EIO=4&transport=polling${this.sid ? `&sid=${this.sid}` : ""}${extra}`;
  }

  /**
   * Performs the handshake.
   *
   * @param headers extra request headers
   * @returns the open data
   */
  async handshake(headers?: OutgoingHttpHeaders): Promise<OpenData> {
    const res = await rawRequest(this.url(), { headers });
    if (res.status !== 200) throw new Error(`handshake failed: ${res.status} ${res.body}`);
    this.open = parseOpen(res.body);
    this.sid = this.open.sid;
    return this.open;
  }

  /** One GET (resolves when the server answers). */
  poll(opts: RawRequestOptions = {}): Promise<RawResponse> {
    return rawRequest(this.url(), { ...opts, method: "GET" });
  }

  /** One POST with a payload. */
  post(payload: string | Buffer, opts: RawRequestOptions = {}): Promise<RawResponse> {
    return rawRequest(this.url(), { ...opts, method: "POST", body: payload });
  }
}

/** A raw WebSocket with a message queue. */
export class RawWebSocket {
  readonly ws: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  #queue: (string | Buffer)[] = [];
  #waiters: ((m: string | Buffer) => void)[] = [];

  /** @param ws a `ws` client socket (connecting or open) */
  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const m = isBinary ? data : data.toString("utf8");
      const w = this.#waiters.shift();
      if (w) w(m);
      else this.#queue.push(m);
    });
    this.closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /**
   * Opens a WebSocket to the engine.
   *
   * @param base e.g. `ws://127.0.0.1:1234/engine.io/`
   * @param sid the session to upgrade, if any
   * @param headers extra headers
   * @returns the open socket
   * @throws when the server refuses the upgrade (the error carries `status`)
   */
  static async connect(base: string, sid?: string, headers?: Record<string, string>): Promise<RawWebSocket> {
    const url = `${base}?EIO=4&transport=websocket${sid ? `&sid=${sid}` : ""}`;
    const ws = new WebSocket(url, { headers });
    const raw = new RawWebSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const err = Object.assign(new Error(`upgrade refused: ${res.statusCode}`), {
            status: res.statusCode,
            body: Buffer.concat(chunks).toString("utf8"),
            headers: res.headers,
          });
          reject(err);
          ws.terminate();
        });
      });
      ws.on("error", reject);
    });
    return raw;
  }

  /** The next message (in order), or rejects after `ms`. */
  next(ms = WAIT_MS): Promise<string | Buffer> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(fn);
        if (i !== -1) this.#waiters.splice(i, 1);
        reject(new Error(`no WebSocket message within ${ms} ms`));
      }, ms);
      const fn = (m: string | Buffer): void => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#waiters.push(fn);
    });
  }

  /** Sends a frame. */
  send(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Closes (and terminates if the server does not answer). */
  close(): void {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.terminate();
  }
}
