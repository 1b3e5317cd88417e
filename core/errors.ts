/**
 * @module errors — the only place where Socketeer's error codes and messages are defined.
 *
 * Every error the library throws or reports carries a stable `code` (`SKT_ERR_<AREA>_<WHAT>`),
 * a base class that says what kind of mistake it is (`TypeError` for a bad argument,
 * `RangeError` for an exceeded limit, `Error` otherwise) and, where it reaches the wire,
 * the HTTP `statusCode` or WebSocket `closeCode` it maps to. Tests assert `err.code`,
 * never the message text. The table in docs/errors.md lists exactly these codes
 * (checked both ways by `test/unit/errors.test.ts`).
 *
 * To add a code: add an entry below (keep the areas together), and a row to the
 * table in docs/errors.md.
 */

type MessageFn = (...args: never[]) => string;

interface ErrorSpec {
  /** The class the error is an instance of. */
  readonly base: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor;
  /** Builds the human-readable message from typed arguments. */
  readonly message: MessageFn;
  /** HTTP status answered when the error ends an HTTP request. */
  readonly statusCode?: number;
  /** WebSocket close code used when the error ends a WebSocket connection. */
  readonly closeCode?: number;
}

const ERRORS = {
  // ── options ───────────────────────────────────────────────────────────────
  SKT_ERR_OPTIONS_INVALID_TYPE: {
    base: TypeError,
    message: (name: string, expected: string, got: string) =>
      `option "${name}" must be ${expected}, got ${got}`,
  },
  SKT_ERR_OPTIONS_OUT_OF_RANGE: {
    base: RangeError,
    message: (name: string, range: string, got: string) =>
      `option "${name}" must be ${range}, got ${got}`,
  },
  SKT_ERR_OPTIONS_UNKNOWN: {
    base: TypeError,
    message: (name: string, suggestion: string | undefined) =>
      `unknown option "${name}"` + (suggestion ? `; did you mean "${suggestion}"?` : ""),
  },
  SKT_ERR_INVALID_ARG: {
    base: TypeError,
    message: (name: string, expected: string, got?: string) =>
      `argument "${name}" must be ${expected}` + (got === undefined ? "" : `, got ${got}`),
  },

  // ── engine (Engine.IO v4) ─────────────────────────────────────────────────
  SKT_ERR_ENGINE_ALREADY_ATTACHED: {
    base: Error,
    message: (path: string) => `an engine is already attached to this server at path "${path}"`,
  },
  SKT_ERR_ENGINE_CLOSED: {
    base: Error,
    message: () => "the engine is closed",
  },
  SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE: {
    base: RangeError,
    message: (limit: number) => `payload exceeds maxHttpBufferSize (${limit} bytes)`,
    statusCode: 413,
    closeCode: 1009,
  },
  SKT_ERR_ENGINE_BUFFER_FULL: {
    base: RangeError,
    message: (what: string, limit: number) =>
      `outbound buffer is full (${what} limit ${limit}); the session is closed`,
  },
  SKT_ERR_ENGINE_PARSE: {
    base: Error,
    message: (detail: string) => `invalid Engine.IO packet: ${detail}`,
    statusCode: 400,
    closeCode: 1002,
  },
  SKT_ERR_ENGINE_TRANSPORT: {
    base: Error,
    message: (detail: string) => `transport error: ${detail}`,
  },

  // ── parser (Socket.IO v5) ─────────────────────────────────────────────────
  SKT_ERR_PARSER_INVALID_PACKET: {
    base: Error,
    message: (detail: string) => `invalid Socket.IO packet: ${detail}`,
  },
  SKT_ERR_PARSER_TOO_MANY_ATTACHMENTS: {
    base: RangeError,
    message: (limit: number) => `too many binary attachments (limit ${limit})`,
  },
  SKT_ERR_PARSER_TOO_DEEP: {
    base: RangeError,
    message: (limit: number) => `payload nested too deeply (limit ${limit})`,
  },
  SKT_ERR_PARSER_CIRCULAR: {
    base: TypeError,
    message: () => "cannot encode a circular structure (as JSON.stringify cannot)",
  },
  SKT_ERR_PARSER_UNEXPECTED_BINARY: {
    base: Error,
    message: () => "binary data received while no attachment was expected",
  },

  // ── socket / namespace ────────────────────────────────────────────────────
  SKT_ERR_SOCKET_RESERVED_EVENT: {
    base: Error,
    message: (name: string) => `"${name}" is a reserved event name`,
  },
  SKT_ERR_SOCKET_ACK_TIMEOUT: {
    base: Error,
    message: (ms: number) => `operation has timed out after ${ms} ms`,
  },
  SKT_ERR_SOCKET_DISCONNECTED: {
    base: Error,
    message: () => "socket has been disconnected",
  },
  SKT_ERR_NAMESPACE_INVALID: {
    base: TypeError,
    message: (got: string) => `a namespace is named by a string, a RegExp or a function, got ${got}`,
  },
  SKT_ERR_MIDDLEWARE_NEXT_TWICE: {
    base: Error,
    message: () => "next() called multiple times",
  },

  // ── broadcast / adapter ───────────────────────────────────────────────────
  SKT_ERR_BROADCAST_ACK_TIMEOUT: {
    base: Error,
    message: (ms: number, received: number, expected: number) =>
      `operation has timed out after ${ms} ms: ${received} of ${expected} responses received`,
  },
  SKT_ERR_ADAPTER_REQUEST_TIMEOUT: {
    base: Error,
    message: (what: string, ms: number, received: number, expected: number) =>
      `timeout reached while waiting for ${what} response (${ms} ms, ${received} of ${expected} nodes answered)`,
  },

  // ── integrations (socketeer/fastify, socketeer/express) ──────────────────
  SKT_ERR_FASTIFY_IO_DECORATED: {
    base: Error,
    message: () =>
      'Fastify already has an "io" decorator: socketeer is registered twice, or another plugin (e.g. fastify-socket.io) owns "io"',
  },

  // ── redis adapter (socketeer/redis) ───────────────────────────────────────
  SKT_ERR_REDIS_INVALID_MESSAGE: {
    base: Error,
    message: (detail: string) => `invalid message between nodes: ${detail}`,
  },
  SKT_ERR_REDIS_NOT_READY: {
    base: Error,
    message: (what: string) => `Redis is not connected; ${what} was not sent to the other nodes`,
  },
  SKT_ERR_REDIS_COMMAND_FAILED: {
    base: Error,
    message: (what: string) => `Redis command failed: ${what}`,
  },
  SKT_ERR_REDIS_UNSUPPORTED_CLIENT: {
    base: TypeError,
    message: (name: string) => `argument "${name}" must be an ioredis client or a node-redis v4+ client`,
  },

  // ── decorators / nestjs (socketeer/nestjs) ────────────────────────────────
  SKT_ERR_DECORATORS_NO_HANDLERS: {
    base: TypeError,
    message: (className: string) =>
      `${className} has no @On(), @OnConnection() or @OnDisconnect() method; there is nothing to register`,
  },
} as const satisfies Record<string, ErrorSpec>;

/** Every error code Socketeer can produce. */
export type ErrorCode = keyof typeof ERRORS;

type ArgsOf<C extends ErrorCode> = Parameters<(typeof ERRORS)[C]["message"]>;

/** An error produced by Socketeer: it always has a `code`, and may map to HTTP or WebSocket. */
export interface SocketeerError extends Error {
  readonly code: ErrorCode;
  readonly statusCode?: number;
  readonly closeCode?: number;
}

/** All registered codes, in declaration order. */
export const ERROR_CODES: readonly ErrorCode[] = Object.freeze(Object.keys(ERRORS) as ErrorCode[]);

/**
 * Builds the error registered under `code`.
 *
 * @param code the registry key
 * @param args the typed arguments of that code's message
 * @returns an instance of the code's base class with `code` (and `statusCode`/`closeCode`) set
 * @example
 * throw createError("SKT_ERR_OPTIONS_INVALID_TYPE", "pingInterval", "a number", "string");
 */
export function createError<C extends ErrorCode>(code: C, ...args: ArgsOf<C>): SocketeerError {
  return build(code, undefined, args, createError);
}

/** Like {@link createError}, keeping the wrapped error as `cause`. */
export function createErrorWithCause<C extends ErrorCode>(
  code: C,
  cause: unknown,
  ...args: ArgsOf<C>
): SocketeerError {
  return build(code, cause, args, createErrorWithCause);
}

/**
 * @param boundary the exported factory that was called: its frame and those above it (this
 *   function's) are cut from the stack, so the stack starts where the error was raised
 */
function build(code: ErrorCode, cause: unknown, args: readonly unknown[], boundary: (...a: never[]) => unknown): SocketeerError {
  const spec: ErrorSpec = ERRORS[code];
  const message = (spec.message as (...a: unknown[]) => string)(...args);
  const err = cause === undefined ? new spec.base(message) : new spec.base(message, { cause });
  Error.captureStackTrace(err, boundary);
  Object.defineProperty(err, "code", { value: code, enumerable: true });
  if (spec.statusCode !== undefined) {
    Object.defineProperty(err, "statusCode", { value: spec.statusCode, enumerable: true });
  }
  if (spec.closeCode !== undefined) {
    Object.defineProperty(err, "closeCode", { value: spec.closeCode, enumerable: true });
  }
  return err as SocketeerError;
}

/** True when `err` was produced by {@link createError} (optionally with a given code). */
export function isSocketeerError(err: unknown, code?: ErrorCode): err is SocketeerError {
  if (typeof err !== "object" || err === null || !("code" in err)) return false;
  const c = (err as { code: unknown }).code;
  return typeof c === "string" && c in ERRORS && (code === undefined || c === code);
}
