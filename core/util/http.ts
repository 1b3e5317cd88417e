/**
 * @module util/http — node:http helpers: query parsing, Engine.IO error answers, CORS headers.
 *
 * The CORS part follows the option shape of the `cors` npm package (origin as boolean, string,
 * RegExp, array or function; methods; allowedHeaders; exposedHeaders; credentials; maxAge;
 * optionsSuccessStatus) so options written for socket.io keep their meaning.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";

/** A static CORS origin rule. */
export type StaticOrigin = boolean | string | RegExp | readonly (string | RegExp)[];

/** A dynamic CORS origin rule, as in the `cors` package. */
export type CustomOrigin = (
  origin: string | undefined,
  callback: (err: Error | null, origin?: StaticOrigin) => void,
) => void;

/** CORS options (the `cors` package's shape). */
export interface CorsOptions {
  /** Allowed origin(s). @default "*" */
  origin?: StaticOrigin | CustomOrigin;
  /** Allowed methods for preflight. @default "GET,HEAD,PUT,PATCH,POST,DELETE" */
  methods?: string | readonly string[];
  /** Allowed request headers for preflight; reflects the request's when unset. */
  allowedHeaders?: string | readonly string[];
  /** Response headers the browser may read. */
  exposedHeaders?: string | readonly string[];
  /** Send `Access-Control-Allow-Credentials: true`. @default false */
  credentials?: boolean;
  /** Preflight cache time, in seconds. */
  maxAge?: number;
  /** Status of a successful preflight answer. @default 204 */
  optionsSuccessStatus?: number;
  /** Pass preflight requests on instead of answering them. @default false */
  preflightContinue?: boolean;
}

/** Query parameters of a request URL (first value of each key). */
export type Query = Record<string, string>;

/**
 * Splits a request URL into its pathname and query.
 *
 * @param url the `req.url` (path and query)
 * @returns the pathname and the query (first value wins for repeated keys)
 */
export function parseUrl(url: string | undefined): { pathname: string; query: Query } {
  const raw = url ?? "/";
  const q = raw.indexOf("?");
  const pathname = q === -1 ? raw : raw.slice(0, q);
  const query: Query = Object.create(null) as Query;
  if (q === -1) return { pathname, query };
  if (NEEDS_DECODING.test(raw)) {
    for (const [k, v] of new URLSearchParams(raw.slice(q + 1))) {
      if (!(k in query)) query[k] = v;
    }
    return { pathname, query };
  }
  // nothing to decode (the usual `EIO=4&transport=polling&sid=…`): split in place, as
  // URLSearchParams would (empty parts skipped, the first "=" splits, a leading "?" dropped)
  let from = raw.charCodeAt(q + 1) === 63 ? q + 2 : q + 1;
  while (from < raw.length) {
    let amp = raw.indexOf("&", from);
    if (amp === -1) amp = raw.length;
    if (amp > from) {
      const eq = raw.indexOf("=", from);
      const k = eq === -1 || eq > amp ? raw.slice(from, amp) : raw.slice(from, eq);
      if (!(k in query)) query[k] = eq === -1 || eq > amp ? "" : raw.slice(eq + 1, amp);
    }
    from = amp + 1;
  }
  return { pathname, query };
}

// what only URLSearchParams decodes right: percent escapes, "+" for a space, non-ASCII text
const NEEDS_DECODING = /[%+\u0080-\uffff]/;

/** The query parameters the engine reads (`EIO`, `transport`, `sid`; `j` and `b64` for Engine.IO v3). */
export interface EngineQuery {
  readonly EIO?: string | undefined;
  readonly transport?: string | undefined;
  readonly sid?: string | undefined;
  readonly j?: string | undefined;
  readonly b64?: string | undefined;
}

/**
 * Reads the engine's query parameters from a request URL: what {@link parseUrl} gives for these
 * keys (first value wins), in one object of a fixed shape, without a string made for the other
 * keys or a dictionary lookup per key (this runs on every polling request).
 *
 * @param url the `req.url` (path and query)
 * @returns the engine's parameters, `undefined` where absent
 */
export function parseEngineQuery(url: string | undefined): EngineQuery {
  const raw = url ?? "";
  const q = raw.indexOf("?");
  if (q !== -1 && NEEDS_DECODING.test(raw)) {
    const { EIO, transport, sid, j, b64 } = parseUrl(raw).query;
    return { EIO, transport, sid, j, b64 };
  }
  let EIO: string | undefined;
  let transport: string | undefined;
  let sid: string | undefined;
  let j: string | undefined;
  let b64: string | undefined;
  let from = q === -1 ? raw.length : raw.charCodeAt(q + 1) === 63 ? q + 2 : q + 1;
  while (from < raw.length) {
    let amp = raw.indexOf("&", from);
    if (amp === -1) amp = raw.length;
    let eq = raw.indexOf("=", from);
    if (eq === -1 || eq > amp) eq = amp;
    // the key is matched in place by its length and characters
    const keyLength = eq - from;
    if (keyLength === 3) {
      if (raw.startsWith("sid", from)) sid ??= raw.slice(eq + 1, amp);
      else if (raw.startsWith("EIO", from)) EIO ??= raw.slice(eq + 1, amp);
      else if (raw.startsWith("b64", from)) b64 ??= raw.slice(eq + 1, amp);
    } else if (keyLength === 9) {
      if (raw.startsWith("transport", from)) transport ??= raw.slice(eq + 1, amp);
    } else if (keyLength === 1 && raw.charCodeAt(from) === 106) {
      j ??= raw.slice(eq + 1, amp);
    }
    from = amp + 1;
  }
  return { EIO, transport, sid, j, b64 };
}

/**
 * Ends a request with an Engine.IO error answer: `{"code":N,"message":"…"}` as JSON.
 *
 * @param res the response (must not have sent its head)
 * @param status the HTTP status
 * @param code the Engine.IO error code (0–5)
 * @param message the message
 */
export function writeEngineError(res: ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({ code, message });
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Writes a complete HTTP/1.1 response on a raw socket (used to refuse an upgrade) and ends it.
 *
 * @param socket the raw socket of an upgrade request
 * @param status the HTTP status
 * @param reason the status text
 * @param headers extra headers
 * @param body the body
 */
export function writeRawResponse(
  socket: { writable: boolean; end(chunk: string, cb?: () => void): unknown; destroy(): unknown },
  status: number,
  reason: string,
  headers: OutgoingHttpHeaders,
  body: string,
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const all: OutgoingHttpHeaders = {
    Connection: "close",
    "Content-Type": "text/html",
    ...headers,
    "Content-Length": Buffer.byteLength(body),
  };
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [k, v] of Object.entries(all)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) head += `${k}: ${String(one)}\r\n`;
  }
  // end, then destroy once flushed: the upgrade socket must not linger half-open
  socket.end(head + "\r\n" + body, () => socket.destroy());
}

function list(v: string | readonly string[]): string {
  return typeof v === "string" ? v : v.join(",");
}

function matches(origin: string, rule: StaticOrigin): boolean {
  if (typeof rule === "boolean") return rule;
  if (typeof rule === "string") return rule === origin;
  if (rule instanceof RegExp) return rule.test(origin);
  return rule.some((r) => (typeof r === "string" ? r === origin : r.test(origin)));
}

function resolveOrigin(options: CorsOptions, origin: string | undefined): Promise<StaticOrigin> {
  const rule = options.origin ?? "*";
  if (typeof rule !== "function") return Promise.resolve(rule);
  return new Promise((resolve, reject) => {
    (rule as CustomOrigin)(origin, (err, value) => (err ? reject(err) : resolve(value ?? false)));
  });
}

function addVary(res: ServerResponse, field: string): void {
  const prev = res.getHeader("Vary");
  if (prev === undefined) res.setHeader("Vary", field);
  else if (!String(prev).split(/\s*,\s*/).includes(field)) res.setHeader("Vary", `${String(prev)}, ${field}`);
}

/**
 * Applies CORS headers to a response and answers preflight requests.
 *
 * @param req the request
 * @param res the response (headers are set with `setHeader`, so later `writeHead` keeps them)
 * @param options CORS options
 * @returns `true` when the request was a preflight and has been answered (stop), `false` otherwise
 * @throws whatever a `origin` function reports (the caller answers 500)
 */
export async function applyCors(req: IncomingMessage, res: ServerResponse, options: CorsOptions): Promise<boolean> {
  const requestOrigin = req.headers.origin;
  const rule = await resolveOrigin(options, requestOrigin);
  if (rule === "*") {
    res.setHeader("Access-Control-Allow-Origin", "*");
  } else if (typeof rule === "string") {
    res.setHeader("Access-Control-Allow-Origin", rule);
    addVary(res, "Origin");
  } else {
    // reflect the origin when the rule accepts it; otherwise send no ACAO (the browser refuses)
    if (requestOrigin !== undefined && matches(requestOrigin, rule)) {
      res.setHeader("Access-Control-Allow-Origin", requestOrigin);
    }
    addVary(res, "Origin");
  }
  if (options.credentials === true) res.setHeader("Access-Control-Allow-Credentials", "true");
  if (req.method === "OPTIONS") {
    res.setHeader("Access-Control-Allow-Methods", list(options.methods ?? "GET,HEAD,PUT,PATCH,POST,DELETE"));
    if (options.allowedHeaders !== undefined) {
      res.setHeader("Access-Control-Allow-Headers", list(options.allowedHeaders));
    } else {
      const asked = req.headers["access-control-request-headers"];
      if (asked !== undefined) {
        res.setHeader("Access-Control-Allow-Headers", asked);
        addVary(res, "Access-Control-Request-Headers");
      }
    }
    if (options.maxAge !== undefined) res.setHeader("Access-Control-Max-Age", String(options.maxAge));
    if (options.exposedHeaders !== undefined) res.setHeader("Access-Control-Expose-Headers", list(options.exposedHeaders));
    if (options.preflightContinue === true) return false;
    res.statusCode = options.optionsSuccessStatus ?? 204;
    res.setHeader("Content-Length", "0");
    res.end();
    return true;
  }
  if (options.exposedHeaders !== undefined) res.setHeader("Access-Control-Expose-Headers", list(options.exposedHeaders));
  return false;
}
