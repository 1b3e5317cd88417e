/**
 * @module engine/options — EngineOptions: declaration, defaults, validation and freezing.
 *
 * Names and defaults are engine.io v6's. The Socket.IO server composes its own options on top
 * of these through {@link resolveEngineOptions} (e.g. a different default `path`).
 */
import type { IncomingMessage } from "node:http";
import { createError } from "../errors.js";
import { is, resolveOptions, type OptionCheck, type OptionSchema } from "../util/options.js";
import type { CorsOptions } from "../util/http.js";
import type { TransportName } from "./constants.js";

/** Decides whether a handshake or upgrade may proceed (`allowRequest`). */
export type AllowRequest = (
  req: IncomingMessage,
  fn: (err: string | null | undefined, success: boolean) => void,
) => void;

/** Options of the `Set-Cookie` header carrying the session id (`cookie`). */
export interface CookieOptions {
  /** @default "io" */
  name?: string;
  /** @default "/" */
  path?: string | false;
  /** @default true */
  httpOnly?: boolean;
  /** @default "lax" */
  sameSite?: "strict" | "lax" | "none" | boolean;
  secure?: boolean;
  domain?: string;
  /** seconds */
  maxAge?: number;
}

/** A `ws`-compatible WebSocket server class (`wsEngine`). */
export type WsEngine = new (options: Record<string, unknown>) => {
  handleUpgrade(
    req: IncomingMessage,
    socket: import("node:stream").Duplex,
    head: Buffer,
    cb: (ws: import("ws").WebSocket, req: IncomingMessage) => void,
  ): void;
  on(event: "headers", fn: (headers: string[], req: IncomingMessage) => void): unknown;
  close(cb?: (err?: Error) => void): void;
};

/** Engine options as users write them. Every field is optional; names and defaults are engine.io's. */
export interface EngineOptions {
  /** Path the engine answers. @default "/engine.io" */
  path?: string;
  /** Also answer the path with a trailing slash. @default true */
  addTrailingSlash?: boolean;
  /** Interval between server pings, ms. @default 25000 */
  pingInterval?: number;
  /** Time to wait for a pong after a ping, ms. @default 20000 */
  pingTimeout?: number;
  /** Time to wait for an upgrade to complete, ms. @default 10000 */
  upgradeTimeout?: number;
  /** Largest accepted message or polling body, bytes (also `ws` maxPayload). @default 1e6 */
  maxHttpBufferSize?: number;
  /** Transports accepted. @default ["polling", "websocket"] */
  transports?: TransportName[];
  /** Allow polling → WebSocket upgrades. @default true */
  allowUpgrades?: boolean;
  /** Handshake/upgrade gate. @default undefined (everything allowed) */
  allowRequest?: AllowRequest;
  /** Send an `io` cookie with the session id. @default false */
  cookie?: boolean | CookieOptions;
  /** CORS options (the `cors` package's shape). @default undefined (no CORS headers) */
  cors?: CorsOptions;
  /** Compress polling responses (gzip/deflate) above a threshold (bytes). @default true (threshold 1024) */
  httpCompression?: boolean | { threshold?: number };
  /** WebSocket permessage-deflate (passed to `ws`). @default false */
  perMessageDeflate?: boolean | Record<string, unknown>;
  /** A message sent right after the handshake. @default undefined */
  initialPacket?: string | Buffer;
  /** A `ws`-compatible server class. @default ws's WebSocketServer */
  wsEngine?: WsEngine;
  /** Cap on packets buffered per session before flushing. @default 10000 */
  maxBufferedPackets?: number;
  /** Cap on bytes buffered per session before flushing. @default 10485760 (10 MiB) */
  maxBufferedBytes?: number;
  /** Also accept Engine.IO v3 clients (socket.io v2, `EIO=3`). @default false */
  allowEIO3?: boolean;
}

/** Engine options after resolution: every field set, frozen. */
export interface ResolvedEngineOptions {
  readonly path: string;
  readonly addTrailingSlash: boolean;
  readonly pingInterval: number;
  readonly pingTimeout: number;
  readonly upgradeTimeout: number;
  readonly maxHttpBufferSize: number;
  readonly transports: readonly TransportName[];
  readonly allowUpgrades: boolean;
  readonly allowRequest: AllowRequest | undefined;
  readonly cookie: Readonly<Required<Pick<CookieOptions, "name" | "path" | "httpOnly" | "sameSite">> & CookieOptions> | false;
  readonly cors: Readonly<CorsOptions> | undefined;
  readonly httpCompression: Readonly<{ threshold: number }> | false;
  readonly perMessageDeflate: boolean | Readonly<Record<string, unknown>>;
  readonly initialPacket: string | Buffer | undefined;
  readonly wsEngine: WsEngine | undefined;
  readonly maxBufferedPackets: number;
  readonly maxBufferedBytes: number;
  readonly allowEIO3: boolean;
}

/** engine.io options we accept for compatibility but do not implement (warned once). */
export const ENGINE_IGNORED_OPTIONS: readonly string[] = Object.freeze([
  "destroyUpgrade",
  "destroyUpgradeTimeout",
]);

const checkPath: OptionCheck<string> = (v, name) => {
  const s = is.string()(v, name);
  if (!s.startsWith("/")) throw createError("SKT_ERR_OPTIONS_OUT_OF_RANGE", name, "a path starting with /", s);
  // "/engine.io/" and "/engine.io" are the same path: keep it without the trailing slash
  return s.length > 1 ? s.replace(/\/+$/, "") : s;
};

const checkTransports: OptionCheck<readonly TransportName[]> = (v, name) => {
  if (!Array.isArray(v) || v.length === 0) {
    throw createError("SKT_ERR_OPTIONS_INVALID_TYPE", name, 'a non-empty array of "polling" | "websocket"', String(v));
  }
  for (const t of v) is.oneOf("polling", "websocket")(t, name);
  return Object.freeze([...(v as TransportName[])]);
};

const checkCookie: OptionCheck<ResolvedEngineOptions["cookie"]> = (v, name) => {
  if (v === false) return false;
  const user = v === true ? {} : is.object<CookieOptions>()(v, name);
  return Object.freeze({ name: "io", path: "/", httpOnly: true, sameSite: "lax" as const, ...user });
};

const checkCors: OptionCheck<Readonly<CorsOptions>> = (v, name) =>
  Object.freeze({ ...is.object<CorsOptions>()(v, name) });

const checkCompression: OptionCheck<ResolvedEngineOptions["httpCompression"]> = (v, name) => {
  if (v === false) return false;
  if (v === true) return Object.freeze({ threshold: 1024 });
  const o = is.object<{ threshold?: unknown }>()(v, name);
  const threshold = o.threshold === undefined ? 1024 : is.number(0)(o.threshold, `${name}.threshold`);
  return Object.freeze({ threshold });
};

const checkDeflate: OptionCheck<ResolvedEngineOptions["perMessageDeflate"]> = (v, name) =>
  typeof v === "boolean" ? v : Object.freeze({ ...is.object<Record<string, unknown>>()(v, name) });

const checkInitial: OptionCheck<string | Buffer> = (v, name) => {
  if (typeof v === "string" || Buffer.isBuffer(v)) return v;
  throw createError("SKT_ERR_OPTIONS_INVALID_TYPE", name, "a string or a Buffer", typeof v);
};

/** The engine's option schema (defaults and validators), reusable by layers above. */
export const ENGINE_OPTION_SCHEMA: OptionSchema<ResolvedEngineOptions> = Object.freeze({
  path: { default: "/engine.io", check: checkPath },
  addTrailingSlash: { default: true, check: is.boolean() },
  pingInterval: { default: 25_000, check: is.number(1, 2 ** 31 - 1) }, // ms
  pingTimeout: { default: 20_000, check: is.number(1, 2 ** 31 - 1) }, // ms
  upgradeTimeout: { default: 10_000, check: is.number(1, 2 ** 31 - 1) }, // ms
  maxHttpBufferSize: { default: 1e6, check: is.number(1) }, // bytes
  transports: { default: Object.freeze(["polling", "websocket"] as TransportName[]), check: checkTransports },
  allowUpgrades: { default: true, check: is.boolean() },
  allowRequest: { default: undefined, check: is.optional(is.fn<AllowRequest>()) },
  cookie: { default: false, check: checkCookie },
  cors: { default: undefined, check: is.optional(checkCors) },
  httpCompression: { default: Object.freeze({ threshold: 1024 }), check: checkCompression },
  perMessageDeflate: { default: false, check: checkDeflate },
  initialPacket: { default: undefined, check: is.optional(checkInitial) },
  wsEngine: { default: undefined, check: is.optional(is.fn<WsEngine & ((...a: never[]) => unknown)>()) },
  maxBufferedPackets: { default: 10_000, check: is.number(1) }, // packets
  maxBufferedBytes: { default: 10 * 1024 * 1024, check: is.number(1) }, // bytes
  allowEIO3: { default: false, check: is.boolean() },
});

/**
 * Resolves engine options once.
 *
 * @param user the user's options (not mutated)
 * @param extraDefaults defaults that replace the engine's (e.g. `{ path: "/socket.io" }`)
 * @param passthrough keys owned by a layer above: accepted here without a check
 * @returns frozen resolved options
 * @throws SKT_ERR_OPTIONS_INVALID_TYPE, SKT_ERR_OPTIONS_OUT_OF_RANGE, SKT_ERR_OPTIONS_UNKNOWN
 * @example
 * const opts = resolveEngineOptions({ pingInterval: 10_000 }, { path: "/socket.io" });
 */
export function resolveEngineOptions(
  user?: EngineOptions,
  extraDefaults?: Partial<ResolvedEngineOptions>,
  passthrough: readonly string[] = [],
): ResolvedEngineOptions {
  let schema: OptionSchema<ResolvedEngineOptions> = ENGINE_OPTION_SCHEMA;
  if (extraDefaults !== undefined) {
    const copy: Record<string, { default: unknown; check: OptionCheck<unknown> }> = { ...schema };
    for (const [k, v] of Object.entries(extraDefaults)) {
      const spec = copy[k];
      if (spec !== undefined) copy[k] = { default: v, check: spec.check };
    }
    schema = copy as unknown as OptionSchema<ResolvedEngineOptions>;
  }
  const resolved = resolveOptions(schema, user, ENGINE_IGNORED_OPTIONS, passthrough);
  RESOLVED.add(resolved);
  return resolved;
}

const RESOLVED = new WeakSet<object>();

/**
 * Whether `opts` came out of {@link resolveEngineOptions} (and can be used without resolving again).
 *
 * @param opts any value
 * @returns true for a resolved options object
 */
export function isResolvedEngineOptions(opts: unknown): opts is ResolvedEngineOptions {
  return typeof opts === "object" && opts !== null && RESOLVED.has(opts);
}
