/**
 * @module integrations/shared/upgrade-routing — the upgrade plumbing the Fastify and Express integrations
 * share: route a WebSocket upgrade through the host framework's own request pipeline (hooks,
 * middleware) before handing it to the engine, without taking over the host's listeners.
 *
 * How an upgrade travels:
 * 1. {@link onUpgrade} listens to the HTTP server's `upgrade` event. Upgrades for other paths are
 *    left alone (another `ws` server may own them).
 * 2. {@link prepareUpgrade} builds a real `ServerResponse` that writes on the raw socket and marks
 *    the request as an upgrade. The host runs its pipeline with that response: an auth hook that
 *    answers 401 writes a real HTTP 401 on the socket, which is then ended.
 * 3. When the pipeline reaches the integration's handler, {@link completeUpgrade} detaches the
 *    response and gives the socket to `io.handleUpgrade`.
 */
import { ServerResponse, type IncomingMessage, type Server as HttpServer } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";

/** Where a pending upgrade is kept on its request. */
const kPendingUpgrade = Symbol("socketeer.pendingUpgrade");

/** A WebSocket upgrade that the host pipeline has not finished with yet. */
export interface PendingUpgrade {
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly res: ServerResponse;
  readonly onError: () => void;
}

type UpgradeRequest = IncomingMessage & { [kPendingUpgrade]?: PendingUpgrade };

/** `(req, socket, head)`: what `io.handleUpgrade` and the `upgrade` event take. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Whether a request URL is at or under a mount path.
 *
 * @param url `req.url` or `req.originalUrl`
 * @param path a normalised mount path
 * @returns true for `/socket.io`, `/socket.io/` and `/socket.io/…` (query ignored)
 */
export function isUnderPath(url: string | undefined, path: string): boolean {
  if (url === undefined) return false;
  const q = url.indexOf("?");
  const pathname = q === -1 ? url : url.slice(0, q);
  return pathname === path || pathname.startsWith(path === "/" ? "/" : path + "/");
}

/**
 * True for an Engine.IO handshake: a request without a session id (`sid`) in its query.
 * Later polling requests and the upgrade of an existing session carry `sid`.
 *
 * @param req the request (its `originalUrl` when Express rewrote `url`)
 */
export function isHandshake(req: IncomingMessage & { originalUrl?: string }): boolean {
  const url = req.originalUrl ?? req.url ?? "/";
  const q = url.indexOf("?");
  return q === -1 || !new URLSearchParams(url.slice(q + 1)).has("sid");
}

/**
 * Marks `req` as an upgrade and builds the response the host pipeline may answer on.
 * If the pipeline answers (401, 404, 500…), the socket is ended once the answer is written.
 *
 * @param req the upgrade request
 * @param socket its raw socket
 * @param head the first bytes after the headers
 * @returns a `ServerResponse` writing on `socket`, with `Connection: close`
 */
export function prepareUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): ServerResponse {
  const res = new ServerResponse(req);
  res.assignSocket(socket as Socket);
  // An answer here ends the exchange: the client asked to switch protocols, not to keep HTTP/1.1 alive.
  res.shouldKeepAlive = false;
  res.once("finish", () => socket.end());
  //
  // Until the engine owns the socket, a reset by the peer must not become an uncaught 'error'.
  //
  const onError = (): void => void socket.destroy();
  socket.on("error", onError);
  (req as UpgradeRequest)[kPendingUpgrade] = { socket, head, res, onError };
  return res;
}

/**
 * The pending upgrade carried by `req`, if the request is one.
 *
 * @param req a request seen by the host pipeline
 */
export function upgradeOf(req: IncomingMessage): PendingUpgrade | undefined {
  return (req as UpgradeRequest)[kPendingUpgrade];
}

/**
 * Hands a pending upgrade to the engine: the placeholder response lets go of the socket first,
 * so nothing the pipeline does later can write on it.
 *
 * @param req a request marked by {@link prepareUpgrade}
 * @param handle usually `io.handleUpgrade`
 * @returns false when `req` is not a pending upgrade
 */
export function completeUpgrade(req: IncomingMessage, handle: UpgradeHandler): boolean {
  const pending = upgradeOf(req);
  if (pending === undefined) return false;
  delete (req as UpgradeRequest)[kPendingUpgrade];
  pending.res.detachSocket(pending.socket as Socket);
  pending.socket.off("error", pending.onError);
  handle(req, pending.socket, pending.head);
  return true;
}

/**
 * Listens to `upgrade` on an HTTP server for requests that `matches` accepts.
 *
 * Upgrades it does not match are left to the server's other `upgrade` listeners and never
 * destroyed while one exists; when this is the only listener, the socket is destroyed, which is
 * what Node does for an upgrade nobody listens to.
 *
 * @param server the HTTP(S) server
 * @param matches which upgrades are ours (usually a path test)
 * @param route runs the host pipeline for a matched upgrade
 * @returns `detach()`, removing exactly this listener
 */
export function onUpgrade(
  server: HttpServer,
  matches: (req: IncomingMessage) => boolean,
  route: UpgradeHandler,
): () => void {
  const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (matches(req)) return route(req, socket, head);
    if (server.listenerCount("upgrade") === 1) socket.destroy();
  };
  server.on("upgrade", listener);
  return () => void server.off("upgrade", listener);
}

/**
 * The polling requests a host is answering through the engine. On shutdown {@link drain} makes
 * their connections close once answered: a long-poll answered by `io.close()` would otherwise
 * leave a keep-alive connection behind and `server.close()` would wait for it
 * (socketio/socket.io#2462).
 */
export class InflightResponses {
  readonly #responses = new Set<ServerResponse>();
  #isDraining = false;

  /** Tracks `res` until it closes (or marks it at once when draining). */
  add(res: ServerResponse): void {
    if (this.#isDraining) {
      res.shouldKeepAlive = false;
      return;
    }
    this.#responses.add(res);
    res.once("close", () => this.#responses.delete(res));
  }

  /** From now on, every tracked and future response closes its connection when done. */
  drain(): void {
    this.#isDraining = true;
    for (const res of this.#responses) {
      if (!res.headersSent) {
        res.shouldKeepAlive = false;
      } else {
        const socket = res.socket;
        res.once("finish", () => socket?.end());
      }
    }
    this.#responses.clear();
  }
}
