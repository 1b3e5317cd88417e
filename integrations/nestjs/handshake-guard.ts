/**
 * @module integrations/nestjs/handshake-guard — authorizes the Engine.IO handshake itself (before any
 * namespace or gateway runs), answering the HTTP status of the adapter's choice so it reaches the client's
 * `connect_error` (`err.description` is the status with HTTP long-polling).
 */
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";

/** `true` lets the handshake through; `false` answers 403; an object answers its `status` and `message`. */
export type HandshakeVerdict = boolean | { status: number; message?: string };

/**
 * Decides whether a new Engine.IO session may open. Runs once per session (requests that carry a `sid`,
 * i.e. later polls and the WebSocket upgrade of an accepted session, are not asked again).
 */
export type HandshakeGuard = (req: IncomingMessage) => HandshakeVerdict | Promise<HandshakeVerdict>;

/**
 * The part of the response a guard writes to: an `http.ServerResponse` for polling, the engine's
 * upgrade response for a WebSocket handshake.
 */
export interface GuardResponse {
  readonly headersSent: boolean;
  writeHead(status: number, headers?: OutgoingHttpHeaders): unknown;
  end(body?: string): unknown;
}

/** The connect-style middleware shape of `io.engine.use(...)`. */
export type EngineMiddleware = (req: IncomingMessage, res: GuardResponse, next: (err?: Error) => void) => void;

function reject(res: GuardResponse, status: number, message: string): void {
  const body = JSON.stringify({ code: status, message });
  if (!res.headersSent) {
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  }
  res.end(body);
}

/**
 * Builds the engine middleware for a guard.
 *
 * @param guard the user's decision function
 * @returns a middleware for `io.engine.use()`
 * @example
 * io.engine.use(handshakeMiddleware((req) => req.headers.authorization === "Bearer t" || { status: 401 }));
 */
export function handshakeMiddleware(guard: HandshakeGuard): EngineMiddleware {
  return (req, res, next) => {
    // Engine.IO v4 §"Handshake": only a request without `sid` opens a session; the rest belong to one.
    const hasSession = new URL(req.url ?? "/", "http://localhost").searchParams.has("sid");
    if (hasSession) return next();
    Promise.resolve()
      .then(() => guard(req))
      .then(
        (verdict) => {
          if (verdict === true) return next();
          if (verdict === false) return reject(res, 403, "Forbidden");
          return reject(res, verdict.status, verdict.message ?? "Forbidden");
        },
        () => reject(res, 500, "Internal server error"),
      );
  };
}
