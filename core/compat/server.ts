/**
 * @module compat/server — installs `io._nsps`, `io.eio` and `io.opts` (see `members.ts`).
 */
import type { Namespace } from "../namespace/namespace.js";
import type { ServerOptions } from "../options.js";
import type { RecoverySettings } from "../adapter/types.js";
import type { Server } from "../server.js";
import { defineMembers, type SocketIoServerOptions } from "./members.js";

type AnyServer = Server<any, any, any, any>;

/** What the Server lends its compatibility members (it keeps the fields private). */
export interface ServerCompatAccess {
  /** The registry's namespaces by name. */
  namespaces(io: AnyServer): Map<string, Namespace<any, any, any, any>>;
  /** The options as the user gave them (constructor, then `attach(srv, opts)`). */
  userOptions(io: AnyServer): ServerOptions;
  /** The resolved recovery settings, when enabled. */
  recovery(io: AnyServer): (RecoverySettings & { readonly skipMiddlewares: boolean }) | undefined;
}

/**
 * @param ServerClass the Server class
 * @param access its private state, lent to these members only
 */
export function installServerCompat(ServerClass: { prototype: AnyServer }, access: ServerCompatAccess): void {
  defineMembers(ServerClass.prototype, {
    _nsps: {
      get(this: AnyServer) {
        return access.namespaces(this);
      },
    },
    eio: {
      get(this: AnyServer) {
        return this.engine;
      },
    },
    opts: {
      get(this: AnyServer): SocketIoServerOptions {
        const recovery = access.recovery(this);
        const { connectionStateRecovery: _given, ...rest } = access.userOptions(this);
        return Object.freeze({
          ...rest,
          path: this.path(),
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
