/**
 * @module server — the Server facade (`import { Server } from "socketeer"`): resolves options,
 * owns the engine and the namespace registry, attaches to HTTP servers or serves requests handed
 * to it, and closes everything. It parses nothing itself.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { Server as Engine } from "./engine/engine.js";
import type { Socket as EngineSocket } from "./engine/socket.js";
import { attachToHttpServer, type HttpServerLike } from "./engine/attach.js";
import { createClientFileHandler } from "./server/serve-client.js";
import { Encoder, Decoder } from "./parser/index.js";
import { createError } from "./errors.js";
import { Adapter } from "./adapter/adapter.js";
import { SessionAwareAdapter } from "./adapter/session-aware-adapter.js";
import type { AdapterLike, AdapterNamespace, AdapterServer, PacketEncoder, RecoverySettings, Room, SocketId } from "./adapter/types.js";
import { BroadcastOperator } from "./broadcast/broadcast-operator.js";
import type { RemoteSocket } from "./broadcast/remote-socket.js";
import {
  StrictEventEmitter,
  type AckResult,
  type AllButLast,
  type DecorateAcknowledgementsWithTimeoutAndMultipleResponses,
  type DefaultEventsMap,
  type DefaultSocketData,
  type EventNames,
  type EventNamesWithAck,
  type EventParams,
  type EventsMap,
  type RemoveAcknowledgements,
  type ReservedOrUserEventNames,
  type ReservedOrUserListener,
} from "./events/typed-events.js";
import { Namespace, type NamespaceMiddleware } from "./namespace/namespace.js";
import { ParentNamespace, type NamespaceMatcher } from "./namespace/parent-namespace.js";
import { resolveServerOptions, type AdapterOption, type ParserOption, type ResolvedServerOptions, type ServerOptions } from "./options.js";
import { Client } from "./socket/client.js";
import type { Socket } from "./socket/socket.js";
import { DISCONNECT_REASON } from "./constants.js";
import {
  kConnectTimeout,
  kCreateAdapter,
  kCreateDecoder,
  kInitAdapter,
  kOnClose,
  kResolveNamespace,
  kSetOnEmpty,
} from "./symbols.js";

/** Lifecycle events of the Server (plus its main namespace's `connect`/`connection`). */
export interface ServerReservedEventsMap<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> {
  connect: (socket: Socket<L, E, S, D>) => void;
  connection: (socket: Socket<L, E, S, D>) => void;
  new_namespace: (namespace: Namespace<L, E, S, D>) => void;
}

type AnyNamespace = Namespace<EventsMap, EventsMap, EventsMap, unknown>;
type ServerListenNames<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> = ReservedOrUserEventNames<
  ServerReservedEventsMap<L, E, S, D>,
  S
>;
type ServerListener<
  L extends EventsMap,
  E extends EventsMap,
  S extends EventsMap,
  D,
  Ev extends ServerListenNames<L, E, S, D>,
> = ReservedOrUserListener<ServerReservedEventsMap<L, E, S, D>, S, Ev>;
type Listener = (...args: never[]) => void;

/**
 * The Socket.IO server.
 *
 * @example
 * import { createServer } from "node:http";
 * import { Server } from "socketeer";
 * const httpServer = createServer();
 * const io = new Server(httpServer, { cors: { origin: "*" } });
 * io.on("connection", (socket) => socket.emit("hello", "world"));
 * httpServer.listen(3000);
 */
export class Server<
    ListenEvents extends EventsMap = DefaultEventsMap,
    EmitEvents extends EventsMap = ListenEvents,
    ServerSideEvents extends EventsMap = DefaultEventsMap,
    SocketData = DefaultSocketData,
  >
  extends StrictEventEmitter<
    ServerSideEvents,
    RemoveAcknowledgements<EmitEvents>,
    ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >
  implements AdapterServer
{
  /** The main namespace, `/`. */
  readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The Engine.IO server (created with the Server; replaced by `bind()`). */
  engine: Engine;
  /** The HTTP server given to or created by the constructor, `attach()` or `listen()`. */
  httpServer: HttpServer | undefined;
  /** The Socket.IO encoder (shared by every connection; adapters encode broadcasts with it). */
  readonly encoder: PacketEncoder;

  #opts: ResolvedServerOptions;
  #userOpts: ServerOptions;
  readonly #parser: ParserOption;
  readonly #nsps = new Map<string, Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  readonly #parents = new Map<NamespaceMatcher, ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  readonly #regexpParents = new Map<RegExp, ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  #serveClientFile: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  #detach: (() => void) | undefined;
  #adapterOption: AdapterOption | undefined;

  /**
   * @param srv an HTTP(S) server to attach to, a port to listen on at once, or the options
   * @param opts the options (when `srv` is a server or a port)
   * @throws SKT_ERR_OPTIONS_* for an invalid option
   */
  constructor(srv?: HttpServerLike | HttpServer | number | ServerOptions, opts?: ServerOptions) {
    super();
    if (typeof srv === "object" && srv !== null && typeof (srv as { listen?: unknown }).listen !== "function") {
      opts = srv as ServerOptions;
      srv = undefined;
    }
    this.#userOpts = { ...opts };
    this.#opts = resolveServerOptions(opts);
    this.#adapterOption = this.#opts.adapter;
    this.#parser = this.#opts.parser ?? { Encoder, Decoder };
    this.encoder = new this.#parser.Encoder() as unknown as PacketEncoder;
    this.engine = this.#createEngine();
    this.sockets = this.of("/");
    if (srv !== undefined) this.attach(srv as HttpServer | number);
  }

  #createEngine(): Engine {
    const engine = new Engine(this.#opts.engine);
    engine.on("connection", this.#onConnection);
    this.#serveClientFile = this.#opts.serveClient ? createClientFileHandler(this.#opts.engine.path) : undefined;
    return engine;
  }

  readonly #onConnection = (conn: EngineSocket): void => {
    new Client(this, conn);
  };

  /** Connection state recovery settings, when enabled (read by adapters). */
  get recovery(): (RecoverySettings & { readonly skipMiddlewares: boolean }) | undefined {
    return this.#opts.connectionStateRecovery;
  }

  /** The path the server answers under. */
  path(): string {
    return this.#opts.engine.path;
  }

  /**
   * Gets the adapter option, or sets it and rebuilds every namespace's adapter.
   *
   * @example
   * io.adapter(createAdapter(pubClient, subClient));
   */
  adapter(): AdapterOption | undefined;
  adapter(v: AdapterOption): this;
  adapter(v?: AdapterOption): AdapterOption | undefined | this {
    if (v === undefined) return this.#adapterOption;
    this.#adapterOption = v;
    for (const nsp of this.#nsps.values()) nsp[kInitAdapter]();
    return this;
  }

  /**
   * Attaches to an HTTP server (or creates one listening on `port`). Requests under `path`
   * (and the client bundle when `serveClient`) go to this server; the rest to the host.
   *
   * @param srv the HTTP server, or a port
   * @param opts options to apply before attaching (the engine is rebuilt with them)
   * @returns this server
   * @throws SKT_ERR_ENGINE_ALREADY_ATTACHED when another server answers that path there
   */
  attach(srv: HttpServerLike | HttpServer | number, opts?: ServerOptions): this {
    if (opts !== undefined && Object.keys(opts).length > 0) {
      this.#userOpts = { ...this.#userOpts, ...opts };
      this.#opts = resolveServerOptions(this.#userOpts);
      this.engine.off("connection", this.#onConnection);
      this.engine.close();
      this.engine = this.#createEngine();
    }
    let server: HttpServer;
    if (typeof srv === "number") {
      server = createServer();
      server.listen(srv);
    } else {
      server = srv as HttpServer;
    }
    this.#detach?.();
    const path = this.#opts.engine.path;
    const prefix = path + "/";
    this.#detach = attachToHttpServer(server, path, {
      matches: (req) =>
        this.engine.isEngineRequest(req) || (this.#serveClientFile !== undefined && (req.url ?? "").startsWith(prefix)),
      onRequest: (req, res) => this.handleRequest(req, res),
      onUpgrade: (req, socket, head) => this.handleUpgrade(req, socket, head),
    });
    this.httpServer = server;
    return this;
  }

  /** Same as {@link attach}. */
  listen(srv: HttpServerLike | HttpServer | number, opts?: ServerOptions): this {
    return this.attach(srv, opts);
  }

  /**
   * Uses another engine (e.g. one shared with other code).
   *
   * @param engine an Engine.IO server
   * @returns this server
   */
  bind(engine: Engine): this {
    this.engine.off("connection", this.#onConnection);
    this.engine = engine;
    engine.on("connection", this.#onConnection);
    return this;
  }

  /**
   * Serves one HTTP request: the client bundle when enabled, otherwise the engine.
   * For integrations that route requests themselves.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.#serveClientFile !== undefined && this.#serveClientFile(req, res)) return;
    this.engine.handleRequest(req, res);
  }

  /** Serves one WebSocket upgrade (delegates to the engine). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.engine.handleUpgrade(req, socket, head);
  }

  // ── namespaces ─────────────────────────────────────────────────────────────

  /**
   * Looks up or creates a namespace; a RegExp or a function creates a dynamic (parent)
   * namespace whose children are created on demand.
   *
   * @param name the name, a RegExp, or a matcher `(name, auth, next) => next(err, ok)`
   * @param fn a `connection` listener to add
   * @returns the namespace
   * @throws SKT_ERR_NAMESPACE_INVALID for a name that is not a string, RegExp or function
   * @example
   * io.of("/admin").on("connection", (socket) => {});
   * io.of(/^\/room-\d+$/).on("connection", (socket) => socket.nsp.name);
   */
  of(
    name: string | RegExp | NamespaceMatcher,
    fn?: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
  ): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    if (typeof name === "function" || name instanceof RegExp) {
      const re = name instanceof RegExp ? name : undefined;
      const matcher: NamespaceMatcher = re !== undefined ? (n, _auth, next) => next(null, re.test(n)) : name as NamespaceMatcher;
      const parent = new ParentNamespace(this, matcher);
      this.#parents.set(matcher, parent);
      if (re !== undefined) this.#regexpParents.set(re, parent);
      if (fn !== undefined) parent.on("connect", fn);
      return parent;
    }
    if (typeof name !== "string") throw createError("SKT_ERR_NAMESPACE_INVALID", String(name));
    if (!name.startsWith("/")) name = "/" + name;
    let nsp = this.#nsps.get(name);
    if (nsp === undefined) {
      for (const [re, parent] of this.#regexpParents) {
        if (re.test(name)) {
          nsp = this.#createChild(parent, name);
          break;
        }
      }
    }
    if (nsp === undefined) {
      nsp = new Namespace(this, name);
      this.#nsps.set(name, nsp);
      if (name !== "/") this.emitReserved("new_namespace", nsp);
    }
    if (fn !== undefined) nsp.on("connect", fn);
    return nsp;
  }

  #createChild(
    parent: ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    name: string,
  ): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    const child = parent.createChild(name);
    this.#nsps.set(name, child);
    if (this.#opts.cleanupEmptyChildNamespaces) {
      child[kSetOnEmpty](() => {
        parent.children.delete(child);
        if (this.#nsps.get(name) === child) this.#nsps.delete(name);
        void child.adapter.close();
      });
    }
    this.emitReserved("new_namespace", child);
    return child;
  }

  /** Finds the namespace for a CONNECT, asking the dynamic matchers in order when needed. */
  [kResolveNamespace](
    name: string,
    auth: unknown,
    cb: (nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | undefined) => void,
  ): void {
    const existing = this.#nsps.get(name);
    if (existing !== undefined) return cb(existing);
    const parents = [...this.#parents.values()];
    const authObj = typeof auth === "object" && auth !== null ? (auth as Record<string, unknown>) : {};
    let i = 0;
    const next = (): void => {
      const parent = parents[i++];
      if (parent === undefined) return cb(undefined);
      parent.matcher(name, authObj, (err, ok) => {
        if (err || !ok) return next();
        cb(this.#nsps.get(name) ?? this.#createChild(parent, name));
      });
    };
    next();
  }

  [kCreateAdapter](nsp: AdapterNamespace): AdapterLike {
    const A = this.#adapterOption ?? (this.#opts.connectionStateRecovery !== undefined ? SessionAwareAdapter : Adapter);
    // A class (or a `function` factory, as cluster adapters' createAdapter() return) is called
    // with `new`, as socket.io does; an arrow-function factory is called plainly.
    if (A.prototype === undefined) return (A as (nsp: AdapterNamespace) => AdapterLike)(nsp);
    return new (A as new (nsp: AdapterNamespace) => AdapterLike)(nsp);
  }

  [kCreateDecoder](): unknown {
    return new this.#parser.Decoder();
  }

  get [kConnectTimeout](): number {
    return this.#opts.connectTimeout;
  }

  // ── the main namespace's API ───────────────────────────────────────────────

  /** Adds a connection middleware to the main namespace. */
  use(fn: NamespaceMiddleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): this {
    this.sockets.use(fn);
    return this;
  }

  /** Targets the sockets in `room`. */
  to(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.to(room);
  }

  /** Same as {@link to}. */
  in(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.in(room);
  }

  /** Targets every socket except those in `room`. */
  except(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.except(room);
  }

  /**
   * Emits to every socket of the main namespace.
   *
   * @throws SKT_ERR_SOCKET_RESERVED_EVENT for a reserved event name
   */
  override emit<Ev extends EventNames<RemoveAcknowledgements<EmitEvents>>>(
    ev: Ev,
    ...args: EventParams<RemoveAcknowledgements<EmitEvents>, Ev>
  ): boolean {
    return this.sockets.emit(ev, ...args);
  }

  /** Emits to every socket and resolves with their answers. */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<AckResult<EmitEvents, Ev>> {
    return this.sockets.emitWithAck(ev, ...args);
  }

  /** Sends a `message` event to every socket. */
  send(...args: EventParams<EmitEvents, "message">): this {
    this.sockets.send(...args);
    return this;
  }

  /** Same as {@link send}. */
  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  /** Sets whether to compress the next broadcast. */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.compress(compress);
  }

  /** The next broadcast is dropped for sockets that are not writable. */
  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.volatile;
  }

  /** Only this node's sockets. */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.local;
  }

  /** Sets the ack timeout of the next broadcast. */
  timeout(ms: number): BroadcastOperator<DecorateAcknowledgementsWithTimeoutAndMultipleResponses<EmitEvents>, SocketData> {
    return this.sockets.timeout(ms);
  }

  /** @returns the ids of every socket of the main namespace */
  allSockets(): Promise<Set<SocketId>> {
    return this.sockets.allSockets();
  }

  /** @returns every socket of the main namespace, local or remote */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.sockets.fetchSockets();
  }

  /** Makes every socket join `room`. */
  socketsJoin(room: Room | Room[]): void {
    this.sockets.socketsJoin(room);
  }

  /** Makes every socket leave `room`. */
  socketsLeave(room: Room | Room[]): void {
    this.sockets.socketsLeave(room);
  }

  /** Disconnects every socket of the main namespace. */
  disconnectSockets(close = false): void {
    this.sockets.disconnectSockets(close);
  }

  /** Sends an event to the other servers of the cluster. */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(ev: Ev, ...args: EventParams<ServerSideEvents, Ev>): boolean {
    return this.sockets.serverSideEmit(ev, ...args);
  }

  /** Sends an event to the other servers and resolves with their answers. */
  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<ServerSideEvents, Ev>>
  ): Promise<unknown[]> {
    return this.sockets.serverSideEmitWithAck(ev, ...args);
  }

  // Listeners other than `new_namespace` go to the main namespace, as in socket.io, so that
  // `io.on("connection")` and server-side events work.
  #target(ev: string | symbol): StrictEventEmitter<EventsMap, EventsMap, EventsMap> | undefined {
    return ev === "new_namespace" ? undefined : (this.sockets as unknown as StrictEventEmitter<EventsMap, EventsMap, EventsMap>);
  }

  override on<Ev extends ServerListenNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    const target = this.#target(ev);
    if (target === undefined) return super.on(ev, listener as never);
    target.on(ev as string, listener as Listener);
    return this;
  }

  override once<Ev extends ServerListenNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    const target = this.#target(ev);
    if (target === undefined) return super.once(ev, listener as never);
    target.once(ev as string, listener as Listener);
    return this;
  }

  override off<Ev extends ServerListenNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    const target = this.#target(ev);
    if (target === undefined) return super.off(ev, listener as never);
    target.off(ev as string, listener as Listener);
    return this;
  }

  override addListener(ev: string | symbol, listener: (...args: never[]) => void): this {
    return this.on(ev as never, listener as never);
  }

  override removeListener(ev: string | symbol, listener: (...args: never[]) => void): this {
    return this.off(ev as never, listener as never);
  }

  override removeAllListeners(ev?: string | symbol): this {
    if (ev === undefined) {
      super.removeAllListeners();
      this.sockets.removeAllListeners();
    } else if (this.#target(ev) === undefined) super.removeAllListeners(ev);
    else this.sockets.removeAllListeners(ev);
    return this;
  }

  override listeners<Ev extends ServerListenNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
  ): ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>[] {
    const target = this.#target(ev);
    const list = target === undefined ? super.listeners(ev) : target.listeners(ev as string);
    return list as ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>[];
  }

  override listenerCount(ev: string | symbol): number {
    const target = this.#target(ev);
    return target === undefined ? super.listenerCount(ev) : target.listenerCount(ev);
  }

  /**
   * Closes every socket (`server shutting down`), the engine, and the HTTP server if it was
   * given to or created by this Server (socket.io's behaviour). A server only handed requests
   * through `handleRequest`/`bind` is left alone.
   *
   * @param fn called once everything is closed
   * @returns a promise settled at the same time
   */
  async close(fn?: (err?: Error) => void): Promise<void> {
    for (const nsp of [...this.#nsps.values(), ...this.#parents.values()]) {
      for (const socket of [...nsp.sockets.values()]) socket[kOnClose](DISCONNECT_REASON.SERVER_SHUTTING_DOWN);
      await nsp.adapter.close();
    }
    this.engine.close();
    this.#detach?.();
    this.#detach = undefined;
    const http = this.httpServer;
    let error: Error | undefined;
    if (http !== undefined && http.listening) {
      await new Promise<void>((resolve) => {
        http.close((err) => {
          error = err;
          resolve();
        });
        http.closeIdleConnections?.();
      });
    }
    fn?.(error);
  }
}

export type { AnyNamespace };
