/**
 * @module server — the Server facade (`import { Server } from "socketeer"`): resolves options,
 * owns the engine and the namespace registry, attaches to HTTP servers or serves requests handed
 * to it, and closes everything. It parses nothing itself.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { Server as Engine } from "./engine/engine.js";
import { kMoveOut, kRemoteSessions } from "./engine/remote-sessions.js";
import type { Socket as EngineSocket } from "./engine/socket.js";
import { attachToHttpServer, type HttpServerLike } from "./engine/listener-takeover.js";
import { createClientFileHandler } from "./server/serve-client.js";
import type { HttpHost } from "./server/http-host.js";
import { Encoder, Decoder } from "./parser/index.js";
import { Adapter } from "./adapter/adapter.js";
import { SessionAwareAdapter } from "./adapter/session-aware-adapter.js";
import type { PacketEncoder, RecoverySettings } from "./adapter/types.js";
import type { AdapterLike, AdapterNamespace, AdapterServer } from "./contracts.js";
import type { DefaultEventsMap, DefaultSocketData, EventsMap } from "./events/typed-events.js";
import { MainNamespaceFacade } from "./namespace/main-namespace-facade.js";
import type { Namespace } from "./namespace/namespace.js";
import type { NamespaceMatcher } from "./namespace/parent-namespace.js";
import { NamespaceRegistry } from "./namespace/registry.js";
import { resolveServerOptions, type AdapterOption, type ParserOption, type ResolvedServerOptions, type ServerOptions } from "./options.js";
import { Client, exportMoved } from "./socket/client.js";
import type { HeldAck, MoveOut, MovedClientState } from "./socket/moved-state.js";
import { installServerCompat } from "./compat/server.js";
import type { SocketIoServerMembers } from "./compat/members.js";
import type { Socket } from "./socket/socket.js";
import { DISCONNECT_REASON } from "./constants.js";
import { createError } from "./errors.js";
import { describeValue } from "./util/options.js";
import { Metrics, type MetricsGaugeSource, type MetricsSnapshot, type SnapshotOptions } from "./metrics/metrics.js";
import {
  kConnectTimeout,
  kCreateAdapter,
  kCreateDecoder,
  kHttpHost,
  kInitAdapter,
  kMetrics,
  kOnClose,
  kResolveNamespace,
  type ClientHost,
  type NamespaceHost,
} from "./contracts.js";

/** socket.io's members that apps and libraries read (`io._nsps`, `io.eio`, `io.opts`): core/compat/. */
export interface Server<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = DefaultSocketData,
> extends SocketIoServerMembers<Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>> {}

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
  extends MainNamespaceFacade<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  implements AdapterServer, ClientHost, NamespaceHost
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
  readonly #registry: NamespaceRegistry<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  #serveClientFile: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  /** `detach()` of every HTTP server attached to, by server. */
  readonly #attachments = new Map<HttpServerLike, () => void>();
  #adapterOption: AdapterOption | undefined;
  // set by close(): the next attach()/listen() starts a fresh engine, as socket.io does
  #engineClosed = false;

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
    this.#registry = new NamespaceRegistry(this, this.#opts.cleanupEmptyChildNamespaces, (nsp) =>
      this.emitReserved("new_namespace", nsp),
    );
    this.sockets = this.of("/");
    if (srv !== undefined) this.attach(srv as HttpServer | number);
  }

  #createEngine(): Engine {
    const engine = new Engine(this.#opts.engine);
    // a rebuilt engine keeps the cluster's relay (no sticky sessions)
    engine[kRemoteSessions] = (this.engine as Engine | undefined)?.[kRemoteSessions] ?? null;
    engine.on("connection", this.#onConnection);
    this.#serveClientFile = this.#opts.serveClient
      ? createClientFileHandler(this.#opts.engine.path, undefined, this.#opts.engine.cors)
      : undefined;
    return engine;
  }

  /**
   * @internal The host framework in front of this server (socketeer/express), set before attaching:
   * `attach()` routes through it and `close()` leaves the HTTP server open.
   */
  [kHttpHost]: HttpHost | undefined = undefined;

  readonly #onConnection = (conn: EngineSocket): void => {
    this[kMetrics].countConnect();
    new Client(this, conn);
  };

  /** @internal The counters behind {@link Server.metrics}, bumped by clients and sockets. */
  readonly [kMetrics] = new Metrics();

  /**
   * A snapshot of what the server is doing: connections by transport, namespaces with their
   * sockets and rooms, events and bytes in/out (totals and per second), buffered bytes, volatile
   * packets dropped, disconnects by reason. Counters cost a field add on the hot path; gauges are
   * read from live state only here. Render it for Prometheus with `renderPrometheus()`.
   *
   * @param options how many rooms to list per namespace (default 100)
   * @returns a plain, JSON-serialisable snapshot
   * @example
   * app.get("/metrics", (_req, res) => res.type(PROMETHEUS_CONTENT_TYPE).send(renderPrometheus(io.metrics())));
   */
  metrics(options?: SnapshotOptions): MetricsSnapshot {
    const engine = this.engine;
    const registry = this.#registry;
    const source: MetricsGaugeSource = {
      forEachSession(fn) {
        for (const id in engine.clients) {
          const conn = engine.clients[id];
          if (conn !== undefined) fn(conn.transport.name, conn.bufferedBytes);
        }
      },
      forEachNamespace(fn) {
        for (const nsp of registry.all()) fn(nsp.name, nsp.sockets, nsp.adapter.rooms);
      },
    };
    return this[kMetrics].snapshot(source, options);
  }

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
   * @throws SKT_ERR_INVALID_ARG when `v` is neither an adapter class nor a factory (nothing changes)
   * @example
   * io.adapter(createAdapter(pubClient, subClient));
   */
  adapter(): AdapterOption | undefined;
  adapter(v: AdapterOption): this;
  adapter(v?: AdapterOption): AdapterOption | undefined | this {
    if (v === undefined) return this.#adapterOption;
    if (typeof v !== "function") {
      throw createError("SKT_ERR_INVALID_ARG", "adapter(v)", "an adapter class or a factory (nsp) => adapter", describeValue(v));
    }
    this.#adapterOption = v;
    for (const nsp of this.#registry.all()) nsp[kInitAdapter]();
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
    const newOpts = opts !== undefined && Object.keys(opts).length > 0;
    if (newOpts) {
      this.#userOpts = { ...this.#userOpts, ...opts };
      this.#opts = resolveServerOptions(this.#userOpts);
    }
    if (newOpts || this.#engineClosed) {
      // new options, or a restart after close(): a fresh engine
      this.engine.off("connection", this.#onConnection);
      this.engine.close();
      this.engine = this.#createEngine();
      this.#engineClosed = false;
    }
    const host = this[kHttpHost];
    let server: HttpServer;
    if (typeof srv === "number") {
      // as socket.io does: a server we create answers 404 outside our path instead of hanging
      server = host?.createServer() ?? createServer(answerNotFound);
      server.listen(srv);
    } else {
      server = srv as HttpServer;
    }
    // attaching again to the same server replaces that attachment; other servers keep theirs
    this.#attachments.get(server)?.();
    const path = this.#opts.engine.path;
    const prefix = path + "/";
    const detach = attachToHttpServer(server, path, {
      // everything under `<path>/` is ours, as with socket.io: the bundle, or else the engine
      // (400 "Transport unknown"), never left to a host that may not answer it
      matches: (req) => this.engine.isEngineRequest(req) || (req.url ?? "").startsWith(prefix),
      onRequest: host === undefined ? (req, res) => this.handleRequest(req, res) : (req, res) => host.onRequest(req, res),
      onUpgrade:
        host === undefined
          ? (req, socket, head) => this.handleUpgrade(req, socket, head)
          : (req, socket, head) => host.onUpgrade(req, socket, head),
    });
    this.#attachments.set(server, detach);
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
   * @throws SKT_ERR_NAMESPACE_INVALID (a TypeError) for a name that is not a string, RegExp or function
   * @throws SKT_ERR_INVALID_ARG for a listener `fn` that is not a function
   * @example
   * io.of("/admin").on("connection", (socket) => {});
   * io.of(/^\/room-\d+$/).on("connection", (socket) => socket.nsp.name);
   */
  of(
    name: string | RegExp | NamespaceMatcher,
    fn?: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
  ): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    return this.#registry.of(name, fn);
  }

  /** Finds the namespace for a CONNECT (called by the Client). */
  [kResolveNamespace](
    name: string,
    auth: unknown,
    cb: (nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | undefined) => void,
  ): void {
    this.#registry.resolve(name, auth, cb);
  }

  [kCreateAdapter](nsp: AdapterNamespace): AdapterLike {
    const A = this.#adapterOption ?? (this.#opts.connectionStateRecovery !== undefined ? SessionAwareAdapter : Adapter);
    // A class (or a `function` factory, as cluster adapters' createAdapter() return) is called
    // with `new`, as socket.io does; an arrow-function factory is called plainly.
    if (A.prototype === undefined) return (A as (nsp: AdapterNamespace) => AdapterLike)(nsp);
    return new (A as new (nsp: AdapterNamespace) => AdapterLike)(nsp);
  }

  /**
   * @internal Owner side of a move (no sticky sessions, engine/remote-sessions.ts): hands a held
   * session over — the engine's buffered packets and the Socket.IO sockets' state — and forgets
   * it (its sockets get `disconnect` with reason `"session moved"`). The acks the sockets wait
   * for are taken out first: they stay here, for the cluster to answer.
   *
   * @param sid the session id
   * @returns the hand-over, or `undefined` when the session is not here or not held for a move
   */
  [kMoveOut](sid: string): MoveOut | undefined {
    let exported: { state: MovedClientState; acks: HeldAck[] } | undefined;
    const packets = this.engine[kMoveOut](sid, (conn) => {
      exported = exportMoved(conn);
    });
    if (packets === undefined || exported === undefined) return undefined;
    return { packets, ...exported };
  }

  [kCreateDecoder](): unknown {
    return new this.#parser.Decoder();
  }

  get [kConnectTimeout](): number {
    return this.#opts.connectTimeout;
  }

  /**
   * Closes every socket (`server shutting down`), the engine, and the HTTP server if it was
   * given to or created by this Server (socket.io's behaviour). A server only handed requests
   * through `handleRequest`/`bind`, or fronted by a host framework (socketeer/express), is left
   * open; the server detaches from it.
   *
   * @param fn called once everything is closed, with the HTTP server's close error if any
   *   (e.g. `ERR_SERVER_NOT_RUNNING`); `attach()` or `listen()` afterwards starts a fresh engine
   * @returns a promise resolved at the same time (never rejected)
   */
  async close(fn?: (err?: Error) => void): Promise<void> {
    const host = this[kHttpHost];
    host?.onClose();
    for (const nsp of this.#registry.all()) {
      for (const socket of [...nsp.sockets.values()]) socket[kOnClose](DISCONNECT_REASON.SERVER_SHUTTING_DOWN);
      await nsp.adapter.close();
    }
    this.engine.close();
    this.#engineClosed = true;
    const http = this.httpServer;
    let error: Error | undefined;
    if (http !== undefined && host === undefined) {
      // The engine stays attached until the server is closed: a polling request that arrives
      // meanwhile on a kept-alive connection gets the closed engine's 503 instead of no answer
      // at all (which would keep that connection, and http.close(), waiting forever). A server
      // that is not running gives its close error (ERR_SERVER_NOT_RUNNING) to `fn`, as socket.io.
      await new Promise<void>((resolve) => {
        http.close((err) => {
          error = err;
          resolve();
        });
        http.closeIdleConnections?.();
      });
    }
    for (const detach of this.#attachments.values()) detach();
    this.#attachments.clear();
    fn?.(error);
  }

  static {
    installServerCompat(this, {
      namespaces: (io) => io.#registry.byName,
      userOptions: (io) => io.#userOpts,
      resolved: (io) => io.#opts,
    });
  }
}

/** The request listener of an HTTP server Socketeer creates itself: nothing else lives there. */
function answerNotFound(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404);
  res.end();
}
