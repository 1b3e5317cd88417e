/**
 * @module compat/server — installs `io._nsps`, `io.eio` and `io.opts` (see `members.ts`).
 */
import type { Server as Engine } from "../engine/engine.js";
import type { ResolvedServerOptions, ServerOptions } from "../options.js";
import { defineMembers, type SocketIoServerOptions } from "./members.js";

/** What these members use of the public Server. */
interface CompatServer {
  readonly engine: Engine;
  path(): string;
}

/** What the Server lends its compatibility members (it keeps the fields private). */
export interface ServerCompatAccess<T extends CompatServer> {
  /** The registry's namespaces by name. */
  namespaces(io: T): Map<string, unknown>;
  /** The options as the user gave them (constructor, then `attach(srv, opts)`). */
  userOptions(io: T): ServerOptions;
  /** The options resolved, defaults included. */
  resolved(io: T): ResolvedServerOptions;
}

/**
 * @param ServerClass the Server class
 * @param access its private state, lent to these members only
 */
export function installServerCompat<T extends CompatServer>(ServerClass: { prototype: T }, access: ServerCompatAccess<T>): void {
  defineMembers(ServerClass.prototype, {
    _nsps: {
      get(this: T) {
        return access.namespaces(this);
      },
    },
    eio: {
      get(this: T) {
        return this.engine;
      },
    },
    opts: {
      get(this: T): SocketIoServerOptions {
        const resolved = access.resolved(this);
        const recovery = resolved.connectionStateRecovery;
        const { connectionStateRecovery: _given, ...rest } = access.userOptions(this);
        // what the user gave, with socket.io's own options at their resolved values (socket.io
        // keeps its defaults in `opts` too)
        return Object.freeze({
          ...rest,
          path: this.path(),
          serveClient: resolved.serveClient,
          connectTimeout: resolved.connectTimeout,
          cleanupEmptyChildNamespaces: resolved.cleanupEmptyChildNamespaces,
          connectionStateRecovery:
            recovery === undefined
              ? undefined
              : Object.freeze({
                  maxDisconnectionDuration: recovery.maxDisconnectionDuration,
                  skipMiddlewares: recovery.skipMiddlewares,
                }),
        });
      },
    },
  });
}
