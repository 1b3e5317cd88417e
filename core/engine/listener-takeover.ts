/**
 * @module engine/listener-takeover — attaches an engine to a node:http(s) server for one path by
 * taking over the host's `request`/`upgrade` listeners (behind one dispatcher); returns detach().
 * (The integrations never take over: see integrations/shared/upgrade-routing.ts.)
 *
 * Requests and upgrades for the engine's path go to the engine; everything else goes to the
 * host. The host's own `request`/`upgrade` listeners registered before `attach` are kept, moved
 * behind one dispatcher so they no longer see the engine's requests, and put back by `detach()`.
 * An upgrade for another path with nobody else listening is destroyed, as node:http does when
 * it has no `upgrade` listener.
 */
import type { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { createError } from "../errors.js";

/** The part of a node:http(s) server that `attach` uses. */
export type HttpServerLike = Pick<EventEmitter, "listeners" | "on" | "removeListener" | "listenerCount">;

/** Options of `engine.attach(server, opts)`. */
export interface AttachOptions {
  /** The path to answer; defaults to the engine's `path` option. */
  path?: string;
}

/** What the dispatcher calls. */
export interface AttachTarget {
  matches(req: IncomingMessage): boolean;
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

const attachedPaths = new WeakMap<object, Set<string>>();

type Listener = (...args: unknown[]) => void;

/**
 * Attaches `target` to `server` for `path`.
 *
 * @param server the host server
 * @param path the engine's path (used to refuse a second engine on the same path)
 * @param target the engine's handlers
 * @returns detach(): removes the engine's listeners and restores the host's
 * @throws SKT_ERR_ENGINE_ALREADY_ATTACHED
 */
export function attachToHttpServer(server: HttpServerLike, path: string, target: AttachTarget): () => void {
  let paths = attachedPaths.get(server);
  if (paths === undefined) attachedPaths.set(server, (paths = new Set()));
  if (paths.has(path)) throw createError("SKT_ERR_ENGINE_ALREADY_ATTACHED", path);
  paths.add(path);

  const hostRequest = server.listeners("request") as Listener[];
  const hostUpgrade = server.listeners("upgrade") as Listener[];
  for (const fn of hostRequest) server.removeListener("request", fn);
  for (const fn of hostUpgrade) server.removeListener("upgrade", fn);

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (target.matches(req)) return target.onRequest(req, res);
    for (const fn of hostRequest) fn.call(server, req, res);
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (target.matches(req)) return target.onUpgrade(req, socket, head);
    for (const fn of hostUpgrade) fn.call(server, req, socket, head);
    if (hostUpgrade.length === 0 && server.listenerCount("upgrade") === 1) socket.destroy();
  };
  server.on("request", onRequest);
  server.on("upgrade", onUpgrade);

  let attached = true;
  return () => {
    if (!attached) return;
    attached = false;
    paths.delete(path);
    server.removeListener("request", onRequest);
    server.removeListener("upgrade", onUpgrade);
    for (const fn of hostRequest) server.on("request", fn);
    for (const fn of hostUpgrade) server.on("upgrade", fn);
  };
}
