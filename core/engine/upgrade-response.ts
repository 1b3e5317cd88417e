/**
 * @module engine/upgrade-response — a ServerResponse-like object for middlewares run on an upgrade.
 *
 * Middlewares written for HTTP (`(req, res, next)`) may refuse an upgrade with
 * `res.writeHead(401).end()`: this object turns that into a real HTTP response written on the
 * raw socket, which is then closed. It emits `finish` once answered, like a ServerResponse.
 */
import { EventEmitter } from "node:events";
import { STATUS_CODES, type OutgoingHttpHeaders } from "node:http";
import type { Duplex } from "node:stream";
import { writeRawResponse } from "../util/http.js";

/** The subset of ServerResponse that middlewares use, over a raw upgrade socket. */
export class UpgradeResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = "";
  headersSent = false;
  writableEnded = false;
  #socket: Duplex;
  #headers = new Map<string, number | string | readonly string[]>();
  #names = new Map<string, string>();

  /** @param socket the raw socket of the upgrade request */
  constructor(socket: Duplex) {
    super();
    this.#socket = socket;
  }

  /** Sets a header of the answer. */
  setHeader(name: string, value: number | string | readonly string[]): this {
    this.#headers.set(name.toLowerCase(), value);
    this.#names.set(name.toLowerCase(), name);
    return this;
  }

  /** A header set so far. */
  getHeader(name: string): number | string | readonly string[] | undefined {
    return this.#headers.get(name.toLowerCase());
  }

  /** Removes a header set so far. */
  removeHeader(name: string): void {
    this.#headers.delete(name.toLowerCase());
  }

  /** Whether a header is set. */
  hasHeader(name: string): boolean {
    return this.#headers.has(name.toLowerCase());
  }

  /** Sets the status (and headers); the answer is written by `end()`. */
  writeHead(status: number, reasonOrHeaders?: string | OutgoingHttpHeaders, headers?: OutgoingHttpHeaders): this {
    this.statusCode = status;
    const h = typeof reasonOrHeaders === "string" ? headers : reasonOrHeaders;
    if (typeof reasonOrHeaders === "string") this.statusMessage = reasonOrHeaders;
    for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) this.setHeader(k, v);
    this.headersSent = true;
    return this;
  }

  /** Bodies are collected and written with the head on `end()`. */
  write(chunk: string | Buffer): boolean {
    this.#body += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    return true;
  }

  /** Writes the answer on the raw socket and closes it; emits `finish`. */
  end(chunk?: string | Buffer | (() => void), cb?: () => void): this {
    if (this.writableEnded) return this;
    if (typeof chunk === "function") cb = chunk;
    else if (chunk !== undefined) this.write(chunk);
    this.writableEnded = true;
    this.headersSent = true;
    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of this.#headers) headers[this.#names.get(k) ?? k] = v as string;
    const reason = this.statusMessage || STATUS_CODES[this.statusCode] || "Unknown";
    writeRawResponse(this.#socket, this.statusCode, reason, headers, this.#body);
    cb?.();
    this.emit("finish");
    return this;
  }

  #body = "";
}
