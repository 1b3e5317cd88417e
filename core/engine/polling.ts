/**
 * @module engine/polling — HTTP long-polling transport: parks GETs, reads POSTs counting bytes.
 *
 * engine.io-protocol-v4.md § "HTTP long-polling": one GET and one POST at most at a time (a
 * second one gets 400 and closes the session), payloads joined by `\x1e`, `ok` answers a POST.
 * A POST body over `maxHttpBufferSize` is refused with 413 at the first byte past the limit
 * (or at once from `Content-Length`) and nothing past the limit is kept.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Socket as NetSocket } from "node:net";
import { deflate, gzip } from "node:zlib";
import { createError } from "../errors.js";
import { decodePayload, encodePayload, type EnginePacket } from "../parser/engine-packet.js";
import { writeEngineError } from "../util/http.js";
import { ENGINE_ERRORS, ENGINE_ERROR_MESSAGES } from "./constants.js";
import { Transport, type OutboundPacket } from "./transport.js";

/** What the polling transport needs from the resolved options. */
export interface PollingOptions {
  readonly maxHttpBufferSize: number;
  readonly httpCompression: { readonly threshold: number } | false;
  /** How long a graceful close waits for the next GET to carry the close packet, ms. */
  readonly closeGraceMs: number;
}

/**
 * Lets the server add headers to polling responses (`initial_headers`/`headers` events and the
 * session cookie). `wanted()` is asked first so that a response nobody adds to is written from
 * constant headers, without building an object.
 */
export interface HeadersHook {
  /** True when {@link HeadersHook.add} would add or change something on the next response. */
  wanted(): boolean;
  /** Adds the headers of one response. */
  add(headers: OutgoingHttpHeaders, req: IncomingMessage): void;
}

// the requests and responses of a session find their transport through this (no closure per request)
const kTransport = Symbol("socketeer.engine.pollingTransport");
type TaggedRequest = IncomingMessage & { [kTransport]?: PollingTransport };
type TaggedResponse = ServerResponse & { [kTransport]?: PollingTransport };
// the transport whose GET is parked on a connection: one close listener per connection, not per GET
const kParked = Symbol("socketeer.engine.parkedPoll");
type TaggedSocket = NetSocket & { [kParked]?: PollingTransport | null };

/** The `ok` answer to a POST, as raw header pairs (writeHead takes them without an object). */
const OK_HEADERS: readonly string[] = Object.freeze(["Content-Type", "text/html", "Content-Length", "2"]);

/** The long-polling transport of one session. */
export class PollingTransport extends Transport {
  readonly name = "polling" as const;
  #opts: PollingOptions;
  #onHeaders: HeadersHook;
  #getReq: IncomingMessage | null = null;
  #getRes: ServerResponse | null = null;
  // the POST being read: its request and response, the body so far (one chunk, or several)
  #postReq: IncomingMessage | null = null;
  #postRes: ServerResponse | null = null;
  #postBody: Buffer | Buffer[] | null = null;
  #postSize = 0;
  #pendingClose: (() => void) | null = null;
  #closeTimer: NodeJS.Timeout | null = null;
  #destroyed = false;

  /**
   * @param opts limits and compression
   * @param onHeaders asked for the headers of each response before it is written
   */
  constructor(opts: PollingOptions, onHeaders: HeadersHook) {
    super();
    this.#opts = opts;
    this.#onHeaders = onHeaders;
  }

  /**
   * Serves one HTTP request of this session (GET parks, POST delivers packets).
   *
   * @param req the request
   * @param res its response
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === "GET") this.#onPoll(req, res);
    else if (req.method === "POST") this.#onData(req, res);
    else writeEngineError(res, 400, ENGINE_ERRORS.BAD_REQUEST, ENGINE_ERROR_MESSAGES[ENGINE_ERRORS.BAD_REQUEST]);
  }

  #onPoll(req: IncomingMessage, res: ServerResponse): void {
    if (this.#destroyed) {
      writeEngineError(res, 400, ENGINE_ERRORS.UNKNOWN_SID, ENGINE_ERROR_MESSAGES[ENGINE_ERRORS.UNKNOWN_SID]);
      return;
    }
    if (this.#getRes !== null) {
      // spec § "Receiving data": more than one active GET → 400 and close the session
      writeEngineError(res, 400, ENGINE_ERRORS.BAD_REQUEST, ENGINE_ERROR_MESSAGES[ENGINE_ERRORS.BAD_REQUEST]);
      this.handle.onError(createError("SKT_ERR_ENGINE_TRANSPORT", "overlapping GET requests from the client"));
      return;
    }
    this.#getReq = req;
    this.#getRes = res;
    this.#watchGet(req, res);
    this.writable = true;
    if (this.#pendingClose !== null) {
      // the close waited for this GET: a noop then the close, as engine.io sends it
      this.#sendClose(true);
      return;
    }
    if (this.discarded) {
      // an upgrade already completed: release the client's GET at once (spec § "Upgrade")
      this.send([{ type: "noop" }]);
      return;
    }
    this.handle.onDrain();
  }

  /**
   * Learns when the client goes away while its GET is parked. On an HTTP/1 connection that is
   * the connection's `close` (a parked response closes only with it): one listener per
   * connection, which then names the transport whose GET is parked on it. A request without a
   * connection (relayed from another node) or over HTTP/2 is watched through its response.
   */
  #watchGet(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket as TaggedSocket | null | undefined;
    if (socket != null && req.httpVersionMajor === 1) {
      if (socket[kParked] === undefined) socket.on("close", PollingTransport.#socketOnClose);
      socket[kParked] = this;
      return;
    }
    (res as TaggedResponse)[kTransport] = this;
    res.on("close", PollingTransport.#getOnClose);
  }

  /** The parked GET was answered: its connection no longer names this transport. */
  static #unwatchGet(req: IncomingMessage, transport: PollingTransport): void {
    const socket = req.socket as TaggedSocket | null | undefined;
    if (socket != null && socket[kParked] === transport) socket[kParked] = null;
  }

  /** The client went away while its GET was parked (a GET already answered is no longer `#getRes`). */
  #onGetClosed(res: ServerResponse): void {
    if (this.#getRes !== res) return;
    this.#getReq = null;
    this.#getRes = null;
    this.writable = false;
    this.handle.onError(createError("SKT_ERR_ENGINE_TRANSPORT", "poll request closed prematurely"));
  }

  #onData(req: IncomingMessage, res: ServerResponse): void {
    // an aborted upload never ends: a destroyed request no longer holds the slot
    if (this.#postReq !== null && !this.#postReq.destroyed) {
      // spec § "Sending data": more than one active POST → 400 and close the session
      writeEngineError(res, 400, ENGINE_ERRORS.BAD_REQUEST, ENGINE_ERROR_MESSAGES[ENGINE_ERRORS.BAD_REQUEST]);
      this.handle.onError(createError("SKT_ERR_ENGINE_TRANSPORT", "overlapping POST requests from the client"));
      return;
    }
    this.#postReq = req;
    this.#postRes = res;
    this.#postBody = null;
    this.#postSize = 0;
    if (Number(req.headers["content-length"]) > this.#opts.maxHttpBufferSize) return this.#tooLarge(req, res);
    (req as TaggedRequest)[kTransport] = this;
    req.on("data", PollingTransport.#postOnData);
    req.on("end", PollingTransport.#postOnEnd);
  }

  #onChunk(req: IncomingMessage, chunk: Buffer): void {
    if (this.#postReq !== req) return;
    const size = this.#postSize + chunk.length;
    if (size > this.#opts.maxHttpBufferSize) return this.#tooLarge(req, this.#postRes!);
    this.#postSize = size;
    // the body is kept as it came: one chunk (the common case) is decoded in place, never copied
    const body = this.#postBody;
    if (body === null) this.#postBody = chunk;
    else if (Array.isArray(body)) body.push(chunk);
    else this.#postBody = [body, chunk];
  }

  /** Answers 413 at the first byte over `maxHttpBufferSize` (or from Content-Length), keeping nothing. */
  #tooLarge(req: IncomingMessage, res: ServerResponse): void {
    req.removeListener("data", PollingTransport.#postOnData);
    req.removeListener("end", PollingTransport.#postOnEnd);
    this.#endPost();
    const err = createError("SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE", this.#opts.maxHttpBufferSize);
    res.writeHead(err.statusCode ?? 413, { Connection: "close", "Content-Type": "text/plain", "Content-Length": 0 });
    res.end();
    // keep reading (and dropping) what the client still sends so our 413 reaches it
    req.resume();
    this.handle.onError(err);
  }

  #endPost(): void {
    this.#postReq = null;
    this.#postRes = null;
    this.#postBody = null;
  }

  #onEnd(req: IncomingMessage): void {
    if (this.#postReq !== req) return;
    const res = this.#postRes!;
    const body = this.#postBody;
    const size = this.#postSize;
    this.#endPost();
    const whole = body === null ? EMPTY : Array.isArray(body) ? Buffer.concat(body, size) : body;
    const packets = this.decodeBody(whole, req);
    if (packets === null) {
      const err = createError("SKT_ERR_ENGINE_PARSE", "undecodable polling payload");
      writeEngineError(res, err.statusCode ?? 400, ENGINE_ERRORS.BAD_REQUEST, ENGINE_ERROR_MESSAGES[ENGINE_ERRORS.BAD_REQUEST]);
      this.handle.onError(err);
      return;
    }
    if (this.#onHeaders.wanted()) {
      const headers: OutgoingHttpHeaders = { "Content-Type": "text/html", "Content-Length": 2 };
      this.#onHeaders.add(headers, req);
      res.writeHead(200, headers);
    } else {
      res.writeHead(200, OK_HEADERS as string[]);
    }
    res.end("ok");
    for (const packet of packets) {
      if (this.#destroyed) break;
      if (packet.type === "close") {
        // the client leaves: release its parked GET with a noop, not a close (it already knows)
        if (this.#getRes !== null) this.send([{ type: "noop" }]);
        this.handle.onClose();
        break;
      }
      this.handle.onPacket(packet);
    }
  }

  send(packets: readonly OutboundPacket[], done?: () => void): void {
    const res = this.#getRes;
    const req = this.#getReq;
    if (res === null || req === null) return;
    this.#getRes = null;
    this.#getReq = null;
    this.writable = false;
    PollingTransport.#unwatchGet(req, this);
    const body = this.encodeBody(packets);
    const type = this.bodyType(body);
    const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
    const compression = this.#opts.httpCompression;
    // below the threshold (most polling answers) the Accept-Encoding header is not even read
    if (compression !== false && length >= compression.threshold) {
      const encoding = pickEncoding(req.headers["accept-encoding"]);
      if (encoding !== null && packets.some((p) => p.options?.compress !== false)) {
        this.#sendCompressed(req, res, body, type, encoding, done);
        return;
      }
    }
    if (this.#onHeaders.wanted()) {
      const headers: OutgoingHttpHeaders = { "Content-Type": type };
      this.#onHeaders.add(headers, req);
      headers["Content-Length"] = length;
      res.writeHead(200, headers);
    } else {
      res.writeHead(200, ["Content-Type", type, "Content-Length", String(length)]);
    }
    res.end(body, done);
  }

  #sendCompressed(req: IncomingMessage, res: ServerResponse, body: string | Buffer, type: string, encoding: "gzip" | "deflate", done: (() => void) | undefined): void {
    const headers: OutgoingHttpHeaders = { "Content-Type": type };
    if (this.#onHeaders.wanted()) this.#onHeaders.add(headers, req);
    const zip = encoding === "gzip" ? gzip : deflate;
    zip(body, (err, out) => {
      if (err) {
        res.writeHead(500).end();
        return;
      }
      headers["Content-Encoding"] = encoding;
      headers["Content-Length"] = out.length;
      res.writeHead(200, headers);
      res.end(out, done);
    });
  }

  /**
   * Decodes a POST body into packets (the Engine.IO v3 transport overrides it).
   *
   * @param body the whole body
   * @param _req the POST request
   * @returns the packets, or `null` when the payload is malformed
   */
  protected decodeBody(body: Buffer, _req: IncomingMessage): EnginePacket[] | null {
    return decodePayload(body.toString("utf8"));
  }

  /**
   * Encodes packets into a GET response body (the Engine.IO v3 transport overrides it).
   *
   * @param packets the packets
   * @returns the body
   */
  protected encodeBody(packets: readonly OutboundPacket[]): string | Buffer {
    return encodePayload(packets);
  }

  /**
   * The Content-Type of a GET response body (the Engine.IO v3 transport overrides it).
   *
   * @param _body the body from {@link PollingTransport.encodeBody}
   * @returns the header value
   */
  protected bodyType(_body: string | Buffer): string {
    return "text/plain; charset=UTF-8";
  }

  #sendClose(afterNoop = false): void {
    const fn = this.#pendingClose;
    this.#pendingClose = null;
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
    this.send(afterNoop ? [{ type: "noop" }, { type: "close" }] : [{ type: "close" }]);
    fn?.();
  }

  close(fn: () => void): void {
    if (this.#destroyed || this.discarded) return fn();
    this.#pendingClose = fn;
    if (this.writable) return this.#sendClose();
    // the close packet needs a GET to travel on; do not wait for it forever
    this.#closeTimer = setTimeout(() => {
      this.#closeTimer = null;
      const pending = this.#pendingClose;
      this.#pendingClose = null;
      pending?.();
    }, this.#opts.closeGraceMs);
  }

  destroy(): void {
    if (this.#destroyed) return;
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
    this.#pendingClose = null;
    // a parked GET learns the session is over from a close packet rather than a reset
    if (this.#getRes !== null && !this.#getRes.headersSent) this.send([{ type: this.discarded ? "noop" : "close" }]);
    this.#destroyed = true;
    this.writable = false;
    this.unbind();
  }

  // The listeners (docs/CONTRIBUTING.md, "Listeners"): static, they find the transport on the emitter.
  static #getOnClose(this: ServerResponse): void {
    (this as TaggedResponse)[kTransport]!.#onGetClosed(this);
  }

  static #socketOnClose(this: NetSocket): void {
    const transport = (this as TaggedSocket)[kParked];
    if (transport == null) return;
    (this as TaggedSocket)[kParked] = null;
    // the GET parked on this connection, if it still is the transport's
    const res = transport.#getRes;
    if (res !== null && transport.#getReq!.socket === this) transport.#onGetClosed(res);
  }

  static #postOnData(this: IncomingMessage, chunk: Buffer): void {
    (this as TaggedRequest)[kTransport]!.#onChunk(this, chunk);
  }

  static #postOnEnd(this: IncomingMessage): void {
    (this as TaggedRequest)[kTransport]!.#onEnd(this);
  }
}

const EMPTY = Buffer.alloc(0);

function pickEncoding(accept: string | undefined): "gzip" | "deflate" | null {
  if (accept === undefined) return null;
  if (/\bgzip\b/.test(accept)) return "gzip";
  if (/\bdeflate\b/.test(accept)) return "deflate";
  return null;
}
