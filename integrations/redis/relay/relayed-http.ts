/**
 * @module redis/relay/relayed-http — the request and response a node hands its engine for a
 * polling request that arrived on another node: the subset of `IncomingMessage` and
 * `ServerResponse` the engine's polling path uses (method, url, headers, a body stream; status,
 * headers, `writeHead`/`setHeader`/`end`, `close`).
 */
import { EventEmitter } from "node:events";
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { Readable } from "node:stream";

/** What travels back: the answer the engine wrote. */
export interface RelayedAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/**
 * A request rebuilt from the relayed fields: a readable body (already complete) and the head.
 *
 * @param method GET or POST
 * @param url path and query, as received
 * @param headers the client's headers, as received
 * @param body the body read by the receiving node (empty for a GET)
 * @returns a request for `engine[kServeRelayed]`
 */
export function relayedRequest(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer): IncomingMessage {
  const req = new Readable({ read() {} }) as Readable & { method: string; url: string; headers: IncomingHttpHeaders; complete: boolean };
  req.method = method;
  req.url = url;
  req.headers = headers;
  req.complete = false;
  req.once("end", () => {
    req.complete = true;
  });
  if (body.length > 0) req.push(body);
  req.push(null);
  return req as unknown as IncomingMessage;
}

/** A response that collects what the engine writes and hands it over once ended. */
export class RelayedResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  #headers: OutgoingHttpHeaders = {};
  #chunks: Buffer[] = [];
  #onEnd: (answer: RelayedAnswer) => void;

  /** @param onEnd receives the answer once `end()` is called */
  constructor(onEnd: (answer: RelayedAnswer) => void) {
    super();
    this.#onEnd = onEnd;
  }

  /** This object, typed as what the engine expects. */
  asServerResponse(): ServerResponse {
    return this as unknown as ServerResponse;
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    this.#headers[name.toLowerCase()] = value as OutgoingHttpHeaders[string];
    return this;
  }

  getHeader(name: string): OutgoingHttpHeaders[string] {
    return this.#headers[name.toLowerCase()];
  }

  removeHeader(name: string): void {
    delete this.#headers[name.toLowerCase()];
  }

  writeHead(status: number, headers?: OutgoingHttpHeaders | readonly string[]): this {
    this.statusCode = status;
    if (Array.isArray(headers)) {
      // raw pairs (name, value, name, value…), as node:http takes them
      for (let i = 0; i + 1 < headers.length; i += 2) this.#headers[String(headers[i]).toLowerCase()] = headers[i + 1];
    } else {
      for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) this.#headers[k.toLowerCase()] = v;
    }
    this.headersSent = true;
    return this;
  }

  write(chunk: string | Buffer): boolean {
    this.headersSent = true;
    this.#chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
    return true;
  }

  end(chunk?: string | Buffer | (() => void), cb?: () => void): this {
    if (this.writableEnded) return this;
    const done = typeof chunk === "function" ? chunk : cb;
    if (chunk !== undefined && typeof chunk !== "function") this.write(chunk);
    this.headersSent = true;
    this.writableEnded = true;
    this.#onEnd({ status: this.statusCode, headers: this.#headers, body: Buffer.concat(this.#chunks) });
    setImmediate(() => {
      done?.();
      this.emit("finish");
      this.emit("close");
    });
    return this;
  }

  /** The client's real request went away on the receiving node: as a closed connection here. */
  abort(): void {
    if (this.writableEnded) return;
    this.writableEnded = true;
    this.emit("close");
  }
}
