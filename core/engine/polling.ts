/**
 * @module engine/polling — HTTP long-polling transport: parks GETs, reads POSTs counting bytes.
 *
 * engine.io-protocol-v4.md § "HTTP long-polling": one GET and one POST at most at a time (a
 * second one gets 400 and closes the session), payloads joined by `\x1e`, `ok` answers a POST.
 * A POST body over `maxHttpBufferSize` is refused with 413 at the first byte past the limit
 * (or at once from `Content-Length`) and nothing past the limit is kept.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { deflate, gzip } from "node:zlib";
import { createError } from "../errors.js";
import { decodePayload, encodePayload } from "../parser/engine-packet.js";
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

/** Lets the server add headers to every polling response (`initial_headers`/`headers` events). */
export type HeadersHook = (headers: OutgoingHttpHeaders, req: IncomingMessage) => void;

/** The long-polling transport of one session. */
export class PollingTransport extends Transport {
  readonly name = "polling" as const;
  #opts: PollingOptions;
  #onHeaders: HeadersHook;
  #getReq: IncomingMessage | null = null;
  #getRes: ServerResponse | null = null;
  #postActive = false;
  #pendingClose: (() => void) | null = null;
  #closeTimer: NodeJS.Timeout | null = null;
  #destroyed = false;

  /**
   * @param opts limits and compression
   * @param onHeaders called with the headers of each response before it is written
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
    res.once("close", () => {
      // the client went away while its GET was parked
      if (this.#getRes === res) {
        this.#getReq = null;
        this.#getRes = null;
        this.writable = false;
        this.handle.onError(createError("SKT_ERR_ENGINE_TRANSPORT", "poll request closed prematurely"));
      }
    });
    this.writable = true;
    if (this.#pendingClose !== null) {
      this.#sendClose();
      return;
    }
    if (this.discarded) {
      // an upgrade already completed: release the client's GET at once (spec § "Upgrade")
      this.send([{ type: "noop" }]);
      return;
    }
    this.handle.onDrain();
  }

  #onData(req: IncomingMessage, res: ServerResponse): void {
    if (this.#postActive) {
      // spec § "Sending data": more than one active POST → 400 and close the session
      writeEngineError(res, 400, ENGINE_ERRORS.BAD_REQUEST, ENGINE_ERROR_MESSAGES[ENGINE_ERRORS.BAD_REQUEST]);
      this.handle.onError(createError("SKT_ERR_ENGINE_TRANSPORT", "overlapping POST requests from the client"));
      return;
    }
    const limit = this.#opts.maxHttpBufferSize;
    const tooLarge = (): void => {
      req.removeListener("data", onChunk);
      req.removeListener("end", onEnd);
      this.#postActive = false;
      const err = createError("SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE", limit);
      res.writeHead(err.statusCode ?? 413, { Connection: "close", "Content-Type": "text/plain", "Content-Length": 0 });
      res.end();
      // keep reading (and dropping) what the client still sends so our 413 reaches it
      req.resume();
      this.handle.onError(err);
    };
    const chunks: Buffer[] = [];
    let size = 0;
    const onChunk = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) return tooLarge();
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      this.#postActive = false;
      const packets = decodePayload(Buffer.concat(chunks, size).toString("utf8"));
      if (packets === null) {
        const err = createError("SKT_ERR_ENGINE_PARSE", "undecodable polling payload");
        writeEngineError(res, err.statusCode ?? 400, ENGINE_ERRORS.BAD_REQUEST, ENGINE_ERROR_MESSAGES[ENGINE_ERRORS.BAD_REQUEST]);
        this.handle.onError(err);
        return;
      }
      const headers: OutgoingHttpHeaders = { "Content-Type": "text/html", "Content-Length": 2 };
      this.#onHeaders(headers, req);
      res.writeHead(200, headers);
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
    };
    this.#postActive = true;
    if (Number(req.headers["content-length"]) > limit) return tooLarge();
    req.on("data", onChunk);
    req.on("end", onEnd);
    // an aborted upload never ends: free the slot so the session is not stuck
    req.once("close", () => {
      if (!req.complete) this.#postActive = false;
    });
  }

  send(packets: readonly OutboundPacket[], done?: () => void): void {
    const res = this.#getRes;
    const req = this.#getReq;
    if (res === null || req === null) return;
    this.#getRes = null;
    this.#getReq = null;
    this.writable = false;
    const body = encodePayload(packets);
    const headers: OutgoingHttpHeaders = { "Content-Type": "text/plain; charset=UTF-8" };
    this.#onHeaders(headers, req);
    const compression = this.#opts.httpCompression;
    const encoding = compression === false ? null : pickEncoding(req.headers["accept-encoding"]);
    const wantsCompress = packets.some((p) => p.options?.compress !== false);
    if (encoding !== null && wantsCompress && compression !== false && Buffer.byteLength(body) >= compression.threshold) {
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
      return;
    }
    headers["Content-Length"] = Buffer.byteLength(body);
    res.writeHead(200, headers);
    res.end(body, done);
  }

  #sendClose(): void {
    const fn = this.#pendingClose;
    this.#pendingClose = null;
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
    this.send([{ type: "close" }]);
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
}

function pickEncoding(accept: string | undefined): "gzip" | "deflate" | null {
  if (accept === undefined) return null;
  if (/\bgzip\b/.test(accept)) return "gzip";
  if (/\bdeflate\b/.test(accept)) return "deflate";
  return null;
}
