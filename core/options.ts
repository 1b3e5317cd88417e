/**
 * @module options — ServerOptions: every engine option plus socket.io's own, declared once with
 * defaults and validation, resolved into a frozen object.
 */
import { createError } from "./errors.js";
import { is, resolveOptions, type OptionCheck, type OptionSchema } from "./util/options.js";
import {
  ENGINE_IGNORED_OPTIONS,
  ENGINE_OPTION_SCHEMA,
  resolveEngineOptions,
  type EngineOptions,
  type ResolvedEngineOptions,
} from "./engine/options.js";
import { DEFAULT_PATH } from "./constants.js";
import {
  DEFAULT_MAX_DISCONNECTION_DURATION,
  DEFAULT_MAX_PERSISTED_PACKETS,
} from "./adapter/session-aware-adapter.js";
import type { AdapterConstructor, AdapterLike, AdapterNamespace } from "./contracts.js";

/** An adapter class, or a factory `(nsp) => adapter` (what cluster adapters' `createAdapter()` return). */
export type AdapterOption = AdapterConstructor | ((nsp: AdapterNamespace) => AdapterLike);

/** What the `parser` option takes: socket.io-parser's shape (e.g. socket.io-msgpack-parser). */
export interface ParserOption {
  Encoder: new () => { encode(packet: never): unknown[] };
  Decoder: new () => {
    add(chunk: unknown): void;
    destroy(): void;
    on(event: "decoded", fn: (packet: never) => void): unknown;
  };
}

/** Connection state recovery (socket.io ≥ 4.6). */
export interface ConnectionStateRecoveryOptions {
  /** How long a disconnected client can recover its session, in ms. @default 120000 */
  maxDisconnectionDuration?: number;
  /** Skip the namespace middlewares on a successful recovery. @default true */
  skipMiddlewares?: boolean;
  /** Socketeer only: cap on packets kept for replay per namespace. @default 10000 */
  maxPersistedPackets?: number;
}

/** Socket.IO server options: these plus every {@link EngineOptions} field. */
export interface ServerOptions extends EngineOptions {
  /** Path the server answers under. @default "/socket.io" */
  path?: string;
  /** Serve the client bundle at `<path>/socket.io.js` etc. @default true */
  serveClient?: boolean;
  /** Adapter class or factory used by every namespace. @default Adapter (SessionAwareAdapter when recovery is on) */
  adapter?: AdapterOption;
  /** Socket.IO codec `{ Encoder, Decoder }`. @default socketeer's socket.io-parser–compatible codec */
  parser?: ParserOption;
  /** Time a client has to join a namespace before the connection is closed, ms. @default 45000 */
  connectTimeout?: number;
  /** Remove a child of a dynamic namespace once its last socket leaves. @default false */
  cleanupEmptyChildNamespaces?: boolean;
  /** Enable connection state recovery. @default undefined (off) */
  connectionStateRecovery?: ConnectionStateRecoveryOptions;
}

/** Resolved connection state recovery settings. */
export interface ResolvedRecovery {
  readonly maxDisconnectionDuration: number;
  readonly skipMiddlewares: boolean;
  readonly maxPersistedPackets: number;
}

/** The Socket.IO layer's own options, resolved. */
export interface ResolvedServerOwnOptions {
  readonly serveClient: boolean;
  readonly adapter: AdapterOption | undefined;
  readonly parser: ParserOption | undefined;
  readonly connectTimeout: number;
  readonly cleanupEmptyChildNamespaces: boolean;
  readonly connectionStateRecovery: ResolvedRecovery | undefined;
}

/** Every option resolved: the engine's (with `path` defaulting to `/socket.io`) and ours. */
export interface ResolvedServerOptions extends ResolvedServerOwnOptions {
  readonly engine: ResolvedEngineOptions;
}

const checkRecovery: OptionCheck<ResolvedRecovery> = (v, name) => {
  const o = is.object<ConnectionStateRecoveryOptions>()(v, name);
  return Object.freeze({
    maxDisconnectionDuration: is.number(0)(
      o.maxDisconnectionDuration ?? DEFAULT_MAX_DISCONNECTION_DURATION,
      `${name}.maxDisconnectionDuration`,
    ), // ms
    skipMiddlewares: is.boolean()(o.skipMiddlewares ?? true, `${name}.skipMiddlewares`),
    maxPersistedPackets: is.number(1)(
      o.maxPersistedPackets ?? DEFAULT_MAX_PERSISTED_PACKETS,
      `${name}.maxPersistedPackets`,
    ), // packets
  });
};

const checkParser: OptionCheck<ParserOption> = (v, name) => {
  const o = is.object<Partial<ParserOption>>()(v, name);
  if (typeof o.Encoder !== "function" || typeof o.Decoder !== "function") {
    throw createError("SKT_ERR_OPTIONS_INVALID_TYPE", name, "an object with Encoder and Decoder classes", "an object");
  }
  return o as ParserOption;
};

/** The Socket.IO layer's option schema. */
export const SERVER_OPTION_SCHEMA: OptionSchema<ResolvedServerOwnOptions> = Object.freeze({
  serveClient: { default: true, check: is.boolean() },
  adapter: { default: undefined, check: is.optional(is.fn<AdapterOption & ((...a: never[]) => unknown)>()) },
  parser: { default: undefined, check: is.optional(checkParser) },
  connectTimeout: { default: 45_000, check: is.number(1, 2 ** 31 - 1) }, // ms
  cleanupEmptyChildNamespaces: { default: false, check: is.boolean() },
  connectionStateRecovery: { default: undefined, check: is.optional(checkRecovery) },
});

const OWN_KEYS = Object.keys(SERVER_OPTION_SCHEMA);
const ENGINE_KEYS = [...Object.keys(ENGINE_OPTION_SCHEMA), ...ENGINE_IGNORED_OPTIONS];

/**
 * Resolves Server options once.
 *
 * @param user the user's options (not mutated)
 * @returns frozen options: ours, and the engine's under `engine`
 * @throws SKT_ERR_OPTIONS_INVALID_TYPE, SKT_ERR_OPTIONS_OUT_OF_RANGE, SKT_ERR_OPTIONS_UNKNOWN
 * @example
 * const opts = resolveServerOptions({ connectTimeout: 10_000, pingInterval: 5_000 });
 * opts.engine.path; // "/socket.io"
 */
export function resolveServerOptions(user?: ServerOptions): ResolvedServerOptions {
  const engine = resolveEngineOptions(user, { path: DEFAULT_PATH }, OWN_KEYS);
  const own = resolveOptions(SERVER_OPTION_SCHEMA, user, [], ENGINE_KEYS);
  return Object.freeze({ ...own, engine });
}

/** Splits the engine's part out of the user's options (passed to the engine as written). */
export function engineOptionsOf(user: ServerOptions | undefined): EngineOptions {
  const out: Record<string, unknown> = { path: DEFAULT_PATH };
  if (user !== undefined) {
    for (const [k, v] of Object.entries(user)) if (!OWN_KEYS.includes(k)) out[k] = v;
  }
  return out as EngineOptions;
}
