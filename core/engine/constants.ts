/**
 * @module engine/constants — Engine.IO v4 wire constants: protocol version, error codes 0–5, close reasons.
 */

/** The Engine.IO protocol version we speak (query parameter `EIO`). */
export const ENGINE_PROTOCOL = 4;

/** The Engine.IO error codes sent as `{"code":N,"message":"…"}` (wire-visible, kept as engine.io has them). */
export const ENGINE_ERRORS = Object.freeze({
  UNKNOWN_TRANSPORT: 0,
  UNKNOWN_SID: 1,
  BAD_HANDSHAKE_METHOD: 2,
  BAD_REQUEST: 3,
  FORBIDDEN: 4,
  UNSUPPORTED_PROTOCOL_VERSION: 5,
} as const);

/** One Engine.IO error code. */
export type EngineErrorCode = (typeof ENGINE_ERRORS)[keyof typeof ENGINE_ERRORS];

/** Why a request is refused: an Engine.IO error code, an optional message, context for `connection_error`. */
export interface Refusal {
  readonly code: EngineErrorCode;
  readonly message?: string | undefined;
  readonly context?: Record<string, unknown>;
}

/** The message sent with each Engine.IO error code. */
export const ENGINE_ERROR_MESSAGES: Readonly<Record<EngineErrorCode, string>> = Object.freeze({
  0: "Transport unknown",
  1: "Session ID unknown",
  2: "Bad handshake method",
  3: "Bad request",
  4: "Forbidden",
  5: "Unsupported protocol version",
});

/** The HTTP status answered with each Engine.IO error code. */
export const ENGINE_ERROR_STATUS: Readonly<Record<EngineErrorCode, number>> = Object.freeze({
  0: 400,
  1: 400,
  2: 400,
  3: 400,
  4: 403,
  5: 400,
});

/** Why a session closed (the `close` event's first argument), as engine.io names them. */
export type CloseReason =
  | "transport close"
  | "transport error"
  | "ping timeout"
  | "parse error"
  | "forced close"
  | "server shutting down"
  | "session moved";

/** The transports we implement. */
export type TransportName = "polling" | "websocket";
