/**
 * @module integrations/nestjs/io-adapter — `SocketeerAdapter`: NestJS's `WebSocketAdapter` contract on top of
 * the Socketeer `Server`, a drop-in for `IoAdapter` from `@nestjs/platform-socket.io` (Nest 11 and 12).
 */
import type { Server as HttpServer } from "node:http";
import { debuglog } from "../../core/util/debug.js";
import { Logger, type INestApplicationContext, type WebSocketAdapter, type WsMessageHandler } from "@nestjs/common";
import type { Observable, Subscription } from "rxjs";
import { Server, type Namespace, type ServerOptions } from "../../core/index.js";
import { is, resolveOptions, type OptionSchema } from "../../core/util/options.js";
import { connectionExceptionPayload, guardConnectionHooks, type RejectableClient } from "./connection-hook.js";
import { handshakeMiddleware, type HandshakeGuard } from "./handshake-guard.js";
import { collapseArgs, mapPayload } from "./payload.js";

const debug = debuglog("socketeer:nestjs");
const logger = new Logger("SocketeerAdapter");

/** Options of {@link SocketeerAdapter} (the second constructor argument; all optional). */
export interface SocketeerAdapterOptions {
  /**
   * Authorizes every new Engine.IO session before any namespace or gateway runs. Return `true` to accept,
   * `false` for 403, or `{ status, message }` (e.g. `{ status: 401 }`) to answer that status, which the
   * client sees in `connect_error`.
   * @default undefined (no guard)
   */
  handshakeGuard?: HandshakeGuard;
  /**
   * When a gateway's `handleConnection` throws or rejects, send the client an `exception` event
   * (`{ status: "error", message, cause: { pattern: "handleConnection" } }`) and disconnect it, instead
   * of an uncaught exception. Needs the adapter to be built with the Nest application.
   * @default true
   */
  rejectOnConnectionError?: boolean;
}

type ResolvedAdapterOptions = Required<Pick<SocketeerAdapterOptions, "rejectOnConnectionError">> &
  Pick<SocketeerAdapterOptions, "handshakeGuard">;

const SCHEMA: OptionSchema<ResolvedAdapterOptions> = {
  handshakeGuard: { default: undefined, check: is.optional(is.fn<HandshakeGuard>()) },
  rejectOnConnectionError: { default: true, check: is.boolean() },
};

/** The options Nest passes to `create()`: the gateway's options plus `namespace` and the parent `server`. */
export type GatewayServerOptions = Partial<ServerOptions> & {
  namespace?: string | RegExp;
  server?: unknown;
  [key: string]: unknown;
};

/** The server-side socket as the adapter uses it (Socketeer's and socket.io's sockets both fit). */
interface AdapterClient extends RejectableClient {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** What is bound on one socket, across every gateway of its namespace. */
interface SocketBindings {
  listeners: Array<[string, (...args: unknown[]) => void]>;
  inflight: Set<Subscription>;
}

function isNestApp(value: unknown): value is INestApplicationContext & { getHttpServer(): unknown } {
  return typeof (value as { getHttpServer?: unknown } | null)?.getHttpServer === "function";
}

/**
 * Whether `value` is a root server rather than a namespace. Duck-typed (a root server has `of()` and
 * `close()`, a namespace has neither) so a server built by another copy of the package, or returned by an
 * overridden `createIOServer`, still counts.
 */
function isRootServer(value: unknown): value is Server {
  const candidate = value as { of?: unknown; close?: unknown } | null | undefined;
  return typeof candidate?.of === "function" && typeof candidate.close === "function";
}

/**
 * NestJS WebSocket adapter serving gateways with Socketeer. Build it with the Nest application (or an
 * `http.Server`) and install it before `app.listen()`.
 *
 * `createIOServer(port, options)` is the extension point, as in Nest's `IoAdapter`: override it to plug a
 * cluster adapter (see docs/nestjs.md, "A cluster adapter").
 *
 * @example
 * import { SocketeerAdapter } from "socketeer/nestjs";
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new SocketeerAdapter(app));
 * await app.listen(3000);
 */
export class SocketeerAdapter implements WebSocketAdapter<Server | Namespace, AdapterClient, GatewayServerOptions> {
  /** Set by Nest from the app's `forceCloseConnections` option before any gateway is created. */
  forceCloseConnections = false;

  /** The app's http server (Express: the `http.Server`; Fastify: `fastify.server`), if any. */
  protected readonly httpServer: HttpServer | undefined;

  readonly #app: INestApplicationContext | undefined;
  readonly #options: Readonly<ResolvedAdapterOptions>;
  readonly #bindings = new WeakMap<object, SocketBindings>();
  readonly #sharedServers = new WeakSet<object>();
  #hooksGuarded = false;

  /**
   * @param appOrHttpServer the Nest application, or the http server to attach port-0 gateways to
   * @param options see {@link SocketeerAdapterOptions}
   * @throws SKT_ERR_OPTIONS_UNKNOWN, SKT_ERR_OPTIONS_INVALID_TYPE for bad options
   */
  constructor(appOrHttpServer?: INestApplicationContext | HttpServer | object, options?: SocketeerAdapterOptions) {
    this.#options = resolveOptions(SCHEMA, options);
    // Duck-typed rather than `instanceof NestApplication`: that check fails silently when the app and the
    // adapter see two copies of @nestjs/core.
    if (isNestApp(appOrHttpServer)) {
      this.#app = appOrHttpServer;
      this.httpServer = appOrHttpServer.getHttpServer() as HttpServer | undefined;
    } else {
      this.#app = undefined;
      this.httpServer = appOrHttpServer as HttpServer | undefined;
    }
  }

  /**
   * Creates the server of a gateway: the root `Server` for a (port, path) seen first, or `server.of(ns)`
   * when Nest passes the parent server with a `namespace` (string or RegExp).
   *
   * @param port 0 to share the app's http server, another number for a separate listening server
   * @param options the gateway's options, plus `namespace` / `server` from Nest
   * @returns a `Server` or a `Namespace`
   */
  create(port: number, options?: GatewayServerOptions): Server | Namespace {
    this.#guardHooksOnce();
    if (!options) return this.createIOServer(port);
    const { namespace, server, ...serverOptions } = options;
    if (namespace !== undefined && isRootServer(server)) return server.of(namespace);
    const root = this.createIOServer(port, serverOptions);
    return namespace !== undefined ? root.of(namespace) : root;
  }

  /**
   * Builds the root server. Port 0 with an app server attaches to it (during `app.init()`, before
   * `listen`); any other port gets its own listening http server. Override to customise the server, e.g.
   * `server.adapter(createAdapter(pub, sub))`.
   *
   * @param port see {@link create}
   * @param options server options (socket.io `ServerOptions`)
   * @returns the Socketeer `Server`
   */
  createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const shared = port === 0 && this.httpServer !== undefined;
    const server = shared ? new Server(this.httpServer, options) : new Server(port, options);
    if (shared) this.#sharedServers.add(server);
    if (this.#options.handshakeGuard) server.engine.use(handshakeMiddleware(this.#options.handshakeGuard));
    return server;
  }

  /** Calls `callback(socket)` for every new connection of `server` (a `Server` or a `Namespace`). */
  bindClientConnect(server: Server | Namespace, callback: (...args: unknown[]) => void): void {
    server.on("connection", callback);
  }

  /** Calls `callback(reason)` once when the socket disconnects. */
  bindClientDisconnect(client: AdapterClient, callback: (reason: unknown) => void): void {
    client.once("disconnect", (reason: unknown) => callback(reason));
  }

  /** Drops a client that connected before the app finished bootstrapping (Nest 12). */
  closeClient(client: AdapterClient): void {
    client.disconnect(true);
  }

  /**
   * Subscribes the gateway handlers on a socket. The handler's result (value, Promise or Observable,
   * through Nest's `transform`) is acked, or emitted when it is a `{ event, data }` WsResponse; with
   * `@Ack()` the handler acks itself. All listeners and in-flight results of the socket go on disconnect.
   *
   * @param client the server-side socket
   * @param handlers one per `@SubscribeMessage()`
   * @param transform Nest's result normaliser (returns an Observable)
   */
  bindMessageHandlers(
    client: AdapterClient,
    handlers: WsMessageHandler[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const bindings = this.#bindingsOf(client);
    for (const { message, callback, isAckHandledManually } of handlers) {
      const listener = (...args: unknown[]): void => {
        const { data, ack } = mapPayload(collapseArgs(args));
        let result$: Observable<unknown>;
        try {
          result$ = transform(callback(data, ack));
        } catch (err) {
          // Nest's WsProxy already reported it to the client; this event keeps working.
          debug("handler for %s threw: %o", message, err);
          return;
        }
        // The stream may complete during subscribe() (a synchronous Observable): track it only if it did not.
        let subscription: Subscription | undefined;
        let isDone = false;
        const settle = (): void => {
          isDone = true;
          if (subscription) bindings.inflight.delete(subscription);
        };
        subscription = result$.subscribe({
          next: (response) => {
            if (response === null || response === undefined) return;
            try {
              const event = (Object(response) as { event?: unknown }).event;
              if (event) {
                client.emit(String(event), (response as { data?: unknown }).data);
              } else if (!isAckHandledManually && typeof ack === "function") {
                ack(response);
              }
            } catch (err) {
              // A reply the encoder refuses (a circular value): with the stock adapter this is thrown out of
              // rxjs as an uncaught exception. Here it is logged and the client told, as Nest does for an
              // unknown error thrown by the handler itself.
              logger.error(`the reply to "${String(message)}" could not be sent`, err instanceof Error ? err.stack : String(err));
              client.emit("exception", { status: "error", message: "Internal server error", cause: { pattern: message, data } });
            }
          },
          error: (err: unknown) => {
            settle();
            debug("result stream of %s failed: %o", message, err);
          },
          complete: settle,
        });
        if (!isDone) bindings.inflight.add(subscription);
      };
      client.on(String(message), listener);
      bindings.listeners.push([String(message), listener]);
    }
  }

  /**
   * Closes a gateway server. Namespaces have nothing to close. A server sharing the app's http server
   * disconnects its clients and leaves the http server to Nest's HTTP adapter (so it is never closed twice);
   * a separate-port server closes its own http server.
   *
   * @param server what {@link create} returned
   */
  async close(server: Server | Namespace): Promise<void> {
    // Nest calls close() for the namespaces it created too: they have nothing of their own to close.
    if (!isRootServer(server)) return;
    const io = server;
    if (this.#sharedServers.has(io)) {
      // The app's http server belongs to Nest's HTTP adapter, which closes it right after this (and, with
      // forceCloseConnections, destroys its connections). Server#close() would close it too, as socket.io's
      // does (socketio/socket.io#2462): forget it first, so sessions, adapters and listeners go but the
      // http server is closed exactly once. Clients see "transport close", as with the stock adapter.
      io.httpServer = undefined;
    }
    await io.close();
  }

  /** Nothing to release beyond what {@link close} did. */
  async dispose(): Promise<void> {}

  #bindingsOf(client: AdapterClient): SocketBindings {
    let bindings = this.#bindings.get(client);
    if (bindings) return bindings;
    const created: SocketBindings = { listeners: [], inflight: new Set() };
    bindings = created;
    this.#bindings.set(client, created);
    // One disconnect listener per socket, however many gateways bind handlers on it.
    client.once("disconnect", () => {
      for (const [event, listener] of created.listeners.splice(0)) client.off(event, listener);
      for (const subscription of created.inflight) subscription.unsubscribe();
      created.inflight.clear();
      this.#bindings.delete(client);
    });
    return created;
  }

  #guardHooksOnce(): void {
    if (this.#hooksGuarded || !this.#app || !this.#options.rejectOnConnectionError) return;
    this.#hooksGuarded = true;
    guardConnectionHooks(this.#app, (client, err) => {
      debug("handleConnection threw: %o", err);
      client.emit("exception", connectionExceptionPayload(err));
      client.disconnect();
    });
  }
}

/** The stock adapter's name, so `import { IoAdapter } from "socketeer/nestjs"` is the only change. */
export { SocketeerAdapter as IoAdapter };
