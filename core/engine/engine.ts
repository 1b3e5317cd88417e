/**
 * @module engine/engine — the Engine.IO v4 server: routes requests and upgrades to a handshake or a session.
 *
 * `handleRequest` / `handleUpgrade` work without `attach` (integrations route into them). Each
 * request runs: CORS (polling only), the `use()` middlewares, verification (engine error codes
 * 0–5), then either a handshake or the session's transport. Sessions live in `clients`.
 * With `allowEIO3`, an `EIO=3` handshake gets the v3 transports (polling-v3.ts, websocket-v3.ts).
 */
import { EventEmitter } from "node:events";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { debuglog } from "../util/debug.js";
import { listenerTable } from "../util/listener-table.js";
import { WebSocketServer, type WebSocket } from "ws";
import { createError } from "../errors.js";
import { describeValue } from "../util/options.js";
import { generateId } from "../util/ids.js";
import { applyCors, parseEngineQuery, parseUrl, writeEngineError, writeRawResponse, type EngineQuery, type Query } from "../util/http.js";
import {
  ENGINE_ERRORS,
  ENGINE_ERROR_MESSAGES,
  ENGINE_ERROR_STATUS,
  type EngineErrorCode,
} from "./constants.js";
import { resolveEngineOptions, isResolvedEngineOptions, type EngineOptions, type ResolvedEngineOptions } from "./options.js";
import { PollingTransport, type HeadersHook } from "./polling.js";
import { Socket } from "./socket.js";
import { kAdopt, kForceClose, kHandOver, kHold, kOfferUpgrade, kReceive, kRegisterOwner, kSessionClosed, kUnhold } from "./contracts.js";
import { UpgradeResponse } from "./upgrade-response.js";
import { checkRequest, matchesPath, serializeCookie, verifyRequest, type Refusal } from "./handshake.js";
import { WebSocketTransport, type BatchCap } from "./websocket.js";
import { PollingV3Transport } from "./polling-v3.js";
import { WebSocketV3Transport } from "./websocket-v3.js";
import { attachToHttpServer, type AttachOptions, type HttpServerLike } from "./listener-takeover.js";
import {
  kHoldForMove,
  kMovedIn,
  kMoveOut,
  kReleaseHold,
  kRemoteSessions,
  kServeRelayed,
  type MovedPacket,
  type MovedSession,
  type RemoteSessions,
  type SessionMove,
} from "./remote-sessions.js";
import { remoteUpgrade } from "./remote-upgrade.js";
import type { EnginePacket } from "../parser/engine-packet.js";

const debug = debuglog("socketeer:engine");

/**
 * An Express-style middleware run before the handshake, each polling request and the upgrade.
 * On an upgrade `res` is an {@link UpgradeResponse} (statusCode, setHeader/getHeader, writeHead,
 * write, end), whose answer is written as a real HTTP response on the raw socket.
 */
export type EngineMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** The argument of the `connection_error` event. */
export interface ConnectionError {
  readonly req: IncomingMessage;
  /** The Engine.IO error code (0–5). */
  readonly code: EngineErrorCode;
  readonly message: string;
  readonly context: Readonly<Record<string, unknown>>;
}

/** The engine server's events and their arguments. */
export interface EngineServerEvents {
  connection: [socket: Socket];
  connection_error: [err: ConnectionError];
  initial_headers: [headers: OutgoingHttpHeaders, req: IncomingMessage];
  headers: [headers: OutgoingHttpHeaders, req: IncomingMessage];
}

type WsServerLike = InstanceType<typeof WebSocketServer>;

/** Ends a request whose handling failed (a throwing hook or option function): 500, as engine.io. */
function failRequest(res: ServerResponse, err: unknown, what: string): void {
  debug("%s failed: %s", what, err);
  if (!res.headersSent) res.writeHead(500);
  res.end();
}

/**
 * The Engine.IO v4 server (engine.io v6's `Server`). Never listens by itself.
 *
 * @example
 * import { createServer } from "node:http";
 * import { Server } from "socketeer/engine";
 * const http = createServer();
 * const engine = new Server({ pingInterval: 10_000 });
 * const detach = engine.attach(http);
 * engine.on("connection", (socket) => socket.send("welcome"));
 * http.listen(3000);
 */
export class Server extends EventEmitter<EngineServerEvents> {
  /** The resolved, frozen options. */
  readonly opts: ResolvedEngineOptions;
  /** Open sessions by id. */
  readonly clients: Record<string, Socket> = Object.create(null) as Record<string, Socket>;
  #count = 0;

  /** @internal A registered session closed (before its own `close` listeners run). */
  [kSessionClosed](session: Socket): void {
    delete this.clients[session.id];
    this.#count--;
  }
  #middlewares: EngineMiddleware[] = [];
  #wss: WsServerLike | null = null;
  #closed = false;
  #pendingIds = new WeakMap<IncomingMessage, string>();
  // a WebSocket transport's batch per turn is bounded by the session's buffer caps
  readonly #batchCap: BatchCap;
  // whether the `transports` option lists polling (read per polling request)
  readonly #pollingAllowed: boolean;

  /** @internal Set by a cluster without sticky sessions (see engine/remote-sessions.ts). */
  [kRemoteSessions]: RemoteSessions | null = null;

  /**
   * @param opts engine options (see docs/engine.md); validated once
   * @throws SKT_ERR_OPTIONS_INVALID_TYPE, SKT_ERR_OPTIONS_OUT_OF_RANGE, SKT_ERR_OPTIONS_UNKNOWN
   */
  constructor(opts?: EngineOptions | ResolvedEngineOptions) {
    super();
    this.opts = isResolvedEngineOptions(opts) ? opts : resolveEngineOptions(opts as EngineOptions | undefined);
    this.#batchCap = Object.freeze({ items: this.opts.maxBufferedPackets, bytes: this.opts.maxBufferedBytes });
    this.#pollingAllowed = (this.opts.transports as readonly string[]).includes("polling");
  }

  /** The number of open sessions. */
  get clientsCount(): number {
    return this.#count;
  }

  /**
   * Generates a session id; replace it to use your own (must be unique and unguessable).
   *
   * @param _req the handshake request
   * @returns the id, or a promise of it
   */
  generateId(_req: IncomingMessage): string | Promise<string> {
    return generateId();
  }

  /**
   * Adds an Express-style middleware, run before the handshake, every polling request and the
   * upgrade. To refuse, answer with `res.writeHead(status).end()`; `next(err)` answers 400.
   *
   * @param fn the middleware
   * @returns this server
   * @throws SKT_ERR_INVALID_ARG when `fn` is not a function
   * @example
   * engine.use((req, res, next) => (req.headers.authorization ? next() : res.writeHead(401).end()));
   */
  use(fn: EngineMiddleware): this {
    if (typeof fn !== "function") throw createError("SKT_ERR_INVALID_ARG", "engine.use(fn)", "a function", describeValue(fn));
    this.#middlewares.push(fn);
    return this;
  }

  /**
   * Whether a request is for this engine (its path, with or without a trailing slash).
   *
   * @param req the request
   * @returns true when `req.url`'s pathname is the engine's path
   */
  isEngineRequest(req: Pick<IncomingMessage, "url">): boolean {
    return matchesPath(req.url, this.opts.path, this.opts.addTrailingSlash);
  }

  /**
   * Listens on an HTTP server's `request`/`upgrade` for this engine's path only.
   *
   * @param server a node:http(s) server
   * @param opts `{ path? }` to answer another path than `opts.path`
   * @returns `detach()`, which removes the listeners again
   * @throws SKT_ERR_ENGINE_ALREADY_ATTACHED when an engine already answers that path there
   * @throws SKT_ERR_ENGINE_CLOSED after `close()`
   */
  attach(server: HttpServerLike, opts: AttachOptions = {}): () => void {
    if (this.#closed) throw createError("SKT_ERR_ENGINE_CLOSED");
    const path = opts.path ?? this.opts.path;
    return attachToHttpServer(server, path, {
      matches: (req) => matchesPath(req.url, path, this.opts.addTrailingSlash),
      onRequest: (req, res) => this.handleRequest(req, res),
      onUpgrade: (req, socket, head) => this.handleUpgrade(req, socket, head),
    });
  }

  /**
   * Serves one HTTP request of the engine (polling GET/POST, CORS preflight).
   *
   * @param req the request
   * @param res its response
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.#closed || this.opts.cors !== undefined || this.#middlewares.length > 0) {
      this.#handleRequest(req, res).catch((err: unknown) => failRequest(res, err, "request"));
      return;
    }
    // nothing to wait for (no CORS, no middlewares): a session's request is served in this turn
    try {
      const pending = this.#route(req, res);
      if (pending !== undefined) pending.catch((err: unknown) => failRequest(res, err, "request"));
    } catch (err) {
      failRequest(res, err, "request");
    }
  }

  /**
   * Serves one WebSocket upgrade (a handshake over WebSocket, or a polling session's upgrade).
   *
   * @param req the upgrade request
   * @param socket its raw socket
   * @param head the first bytes after the head
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // a reset before ws takes the socket must not crash the process
    const onError = (): void => {
      socket.destroy();
    };
    socket.on("error", onError);
    this.#handleUpgrade(req, socket, head, onError).catch((err: unknown) => {
      debug("upgrade failed: %s", err);
      socket.destroy();
    });
  }

  /**
   * Closes every session (reason `"server shutting down"`) and the WebSocket server. Listeners
   * added by `attach` stay (requests then get 503) until their `detach()` is called.
   *
   * @returns this server
   */
  close(): this {
    if (this.#closed) return this;
    this.#closed = true;
    for (const id of Object.keys(this.clients)) this.clients[id]?.[kForceClose]("server shutting down");
    this.#wss?.close();
    this.#wss = null;
    // attached listeners stay: a polling client's next request must learn the engine is gone (503)
    return this;
  }

  async #handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#closed) {
      writeEngineError(res, 503, ENGINE_ERRORS.BAD_REQUEST, "Server is shutting down");
      return;
    }
    if (this.opts.cors !== undefined && (await applyCors(req, res, this.opts.cors))) return;
    if (!(await this.#runMiddlewares(req, res, (refusal) => this.#abortRequest(req, res, refusal)))) return;
    await this.#route(req, res);
  }

  /** After CORS and middlewares: to the owner node (no sticky sessions), a session or a handshake. */
  #route(req: IncomingMessage, res: ServerResponse): void | Promise<void> {
    const query = parseEngineQuery(req.url);
    // a session of another node: its owner serves it (no sticky sessions)
    const remote = this[kRemoteSessions];
    if (remote !== null && query.sid !== undefined && this.clients[query.sid] === undefined) {
      const sid = query.sid;
      const unknown = (): void => this.#abortRequest(req, res, { code: ENGINE_ERRORS.UNKNOWN_SID, context: { sid } });
      if (remote.relay(sid, req, res, unknown)) return;
    }
    return this.#serveSession(req, res, query);
  }

  /**
   * @internal Serves a polling request relayed by another node for a session of this one: as a
   * local request after CORS and middlewares (the receiving node ran them).
   */
  [kServeRelayed](req: IncomingMessage, res: ServerResponse): void {
    if (this.#closed) {
      writeEngineError(res, 503, ENGINE_ERRORS.BAD_REQUEST, "Server is shutting down");
      return;
    }
    const query = parseEngineQuery(req.url);
    if (query.sid === undefined) {
      this.#abortRequest(req, res, { code: ENGINE_ERRORS.BAD_REQUEST });
      return;
    }
    try {
      const pending = this.#serveSession(req, res, query);
      if (pending !== undefined) pending.catch((err: unknown) => failRequest(res, err, "relayed request"));
    } catch (err) {
      failRequest(res, err, "relayed request");
    }
  }

  /** A request of an open session (verified synchronously), or a handshake (`allowRequest` may be async). */
  #serveSession(req: IncomingMessage, res: ServerResponse, query: EngineQuery): void | Promise<void> {
    const sid = query.sid;
    if (sid === undefined) return this.#handshake(req, res, query);
    const listed = this.clients[sid];
    // the common case, a polling request of an open polling session: what checkRequest would
    // pass, with the session looked up once (a fresh sid string is hashed at each lookup)
    if (listed !== undefined && query.transport === "polling" && this.#pollingAllowed && listed.transport.name === "polling") {
      (listed.transport as PollingTransport).handleRequest(req, res);
      return;
    }
    const refusal = checkRequest(req, query, false, this.opts, this.clients);
    if (refusal !== undefined) return this.#abortRequest(req, res, refusal);
    const session = this.clients[sid];
    if (session === undefined) return this.#abortRequest(req, res, { code: ENGINE_ERRORS.UNKNOWN_SID, context: { sid } });
    (session.transport as PollingTransport).handleRequest(req, res);
  }

  async #handshake(req: IncomingMessage, res: ServerResponse, query: EngineQuery): Promise<void> {
    const refusal = await verifyRequest(req, query, false, this.opts, this.clients);
    if (refusal !== undefined) return this.#abortRequest(req, res, refusal);
    await this.#openPolling(req, res, query);
  }

  async #handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, onError: () => void): Promise<void> {
    const abort = (refusal: Refusal): void => this.#abortUpgrade(req, socket, refusal);
    if (this.#closed) return abort({ code: ENGINE_ERRORS.BAD_REQUEST, message: "Server is shutting down" });
    // the middlewares' response object (and their turn of the event loop) only when there are any:
    // two Maps, an emitter and a promise less per connect (issue 18: CPU per connect)
    if (this.#middlewares.length > 0 && !(await this.#runMiddlewares(req, new UpgradeResponse(socket), abort))) return;
    const { query } = parseUrl(req.url);
    const refusal = await verifyRequest(req, query, true, this.opts, this.clients);
    // a session of another node: it moves here (no sticky sessions)
    let move: SessionMove | undefined;
    if (refusal?.code === ENGINE_ERRORS.UNKNOWN_SID && query.EIO === "4" && this.opts.allowUpgrades) {
      move = this[kRemoteSessions]?.moveHere?.(query.sid!);
    }
    if (refusal !== undefined && move === undefined) return abort(refusal);
    let id: string | undefined;
    if (query.sid === undefined) {
      id = await this.#newId(req);
      if (id === undefined) return abort({ code: ENGINE_ERRORS.BAD_REQUEST, context: { name: "ID_GENERATION_ERROR" } });
      // only for ws's `headers` event, which knows the request alone (the cookie carries the id)
      this.#pendingIds.set(req, id);
    }
    if (this.#closed || socket.destroyed) {
      this.#pendingIds.delete(req);
      return void socket.destroy();
    }
    socket.off("error", onError);
    if (move !== undefined) {
      this.#websocketServer().handleUpgrade(req, socket, head, (ws: WebSocket) => this.#onMovingWebSocket(req, query.sid!, ws, socket, move));
      return;
    }
    // the 101 answer and the open packet leave in one write (issue 18: CPU per connect)
    socket.cork();
    try {
      this.#websocketServer().handleUpgrade(req, socket, head, (ws: WebSocket) => this.#onWebSocket(req, query, ws, socket, id));
    } finally {
      socket.uncork();
    }
  }

  /** The WebSocket of a session moving in from another node: probed with its owner, then adopted. */
  #onMovingWebSocket(req: IncomingMessage, sid: string, ws: WebSocket, socket: Duplex, move: SessionMove): void {
    const transport = new WebSocketTransport(ws, this.opts.maxHttpBufferSize, this.opts.perMessageDeflate !== false, socket, this.#batchCap);
    if (this.#closed) {
      move.cancel();
      return transport.destroy();
    }
    remoteUpgrade(transport, this.opts.upgradeTimeout, move, (moved, received) => this.#adopt(sid, req, transport, moved, received));
  }

  /** A session handed over by its old node starts here on its WebSocket. */
  #adopt(sid: string, req: IncomingMessage, transport: WebSocketTransport, moved: MovedSession, received: EnginePacket[]): void {
    if (this.#closed || this.clients[sid] !== undefined) return transport.destroy();
    const session = new Socket(sid, req, transport, this.opts, 4);
    (session as Socket & { [kMovedIn]?: MovedSession })[kMovedIn] = moved;
    this.#enlist(session);
    session[kAdopt](moved.packets);
    if (session.readyState !== "open") return;
    debug("session %s moved in over %s", sid, transport.name);
    this.emit("connection", session);
    session[kReceive](received);
  }

  /**
   * @internal Owner side of a move: the client probed an upgrade on another node; the session
   * releases its pending GET and holds further packets for `timeoutMs` (then goes on polling).
   *
   * @returns false when there is no such session or it cannot move
   */
  [kHoldForMove](sid: string, timeoutMs: number): boolean {
    return this.clients[sid]?.[kHold](timeoutMs) ?? false;
  }

  /** @internal Owner side: the move was abandoned; the session goes on over polling. */
  [kReleaseHold](sid: string): void {
    this.clients[sid]?.[kUnhold]();
  }

  /**
   * @internal Owner side: hands a held session over (its buffered packets) and forgets it (close
   * reason `"session moved"`).
   *
   * @returns the packets, or `undefined` when the session is not here or not held
   */
  [kMoveOut](sid: string, beforeClose?: (session: Socket) => void): MovedPacket[] | undefined {
    const session = this.clients[sid];
    return session?.[kHandOver](beforeClose === undefined ? undefined : () => beforeClose(session));
  }

  #onWebSocket(req: IncomingMessage, query: Query, ws: WebSocket, socket: Duplex, id: string | undefined): void {
    this.#pendingIds.delete(req);
    const session = id !== undefined ? undefined : this.clients[query.sid!];
    // Engine.IO v3 (allowEIO3, checked by verifyRequest): a v3 handshake or a v3 session's upgrade
    const v3 = id !== undefined ? query.EIO === "3" : session?.protocol === 3;
    const Ws = v3 ? WebSocketV3Transport : WebSocketTransport;
    const transport = new Ws(ws, this.opts.maxHttpBufferSize, this.opts.perMessageDeflate !== false, socket, this.#batchCap);
    if (this.#closed) return transport.destroy();
    if (id !== undefined) return this.#openWebSocket(id, req, transport, v3 ? 3 : 4);
    // the session may have closed while the WebSocket handshake ran
    if (session === undefined) return transport.destroy();
    if (session.upgraded || session.upgrading) {
      // a second upgrade: the handshake is done, close that WebSocket; the session goes on
      debug("session %s already %s: extra WebSocket closed", session.id, session.upgraded ? "upgraded" : "upgrading");
      ws.close();
      return;
    }
    session[kOfferUpgrade](transport);
  }

  /** A new session over long-polling: the handshake GET is parked, then answered with the open packet. */
  async #openPolling(req: IncomingMessage, res: ServerResponse, query: EngineQuery): Promise<void> {
    const id = await this.#newId(req);
    if (id === undefined) {
      return this.#abortRequest(req, res, { code: ENGINE_ERRORS.BAD_REQUEST, context: { name: "ID_GENERATION_ERROR" } });
    }
    if (this.#closed) return writeEngineError(res, 503, ENGINE_ERRORS.BAD_REQUEST, "Server is shutting down");
    const protocol = query.EIO === "3" ? 3 : 4;
    const pollingOpts = {
      maxHttpBufferSize: this.opts.maxHttpBufferSize,
      httpCompression: this.opts.httpCompression,
      closeGraceMs: this.opts.pingTimeout,
    };
    const transport =
      protocol === 3
        ? new PollingV3Transport(pollingOpts, this.#headersHook(id), query)
        : new PollingTransport(pollingOpts, this.#headersHook(id));
    const session = new Socket(id, req, transport, this.opts, protocol);
    // park the handshake GET first, so the open packet goes straight out instead of through the buffer
    transport.handleRequest(req, res);
    const canUpgrade = this.opts.allowUpgrades && this.opts.transports.includes("websocket");
    this.#register(session, canUpgrade ? ["websocket"] : []);
  }

  /** A new session directly over WebSocket (its id was taken before the WebSocket handshake). */
  #openWebSocket(id: string, req: IncomingMessage, transport: WebSocketTransport, protocol: 3 | 4): void {
    this.#register(new Socket(id, req, transport, this.opts, protocol), []);
  }

  /** Lists a session in `clients`; the session tells this engine when it closes (no listener nor closure per session). */
  #enlist(session: Socket): void {
    this.clients[session.id] = session;
    this.#count++;
    session[kRegisterOwner](this);
  }

  /** The registration step every new session shares: listed in `clients`, opened, announced. */
  #register(session: Socket, upgrades: readonly string[]): void {
    const sid = session.id;
    this.#enlist(session);
    session.open(upgrades);
    // the session may have died already (e.g. an initialPacket over the buffer caps)
    if (session.readyState !== "open") return;
    debug("session %s opened over %s", sid, session.transport.name);
    this.emit("connection", session);
  }

  /** A fresh id from `generateId`, or `undefined` when it failed or collides with an open session. */
  async #newId(req: IncomingMessage): Promise<string | undefined> {
    try {
      const generated = await this.generateId(req);
      const remote = this[kRemoteSessions];
      const id = remote !== null && typeof generated === "string" && generated !== "" ? remote.tagId(generated) : generated;
      if (typeof id === "string" && id !== "" && this.clients[id] === undefined) return id;
      debug("generateId gave an unusable id: %s", id);
    } catch (err) {
      debug("generateId failed: %s", err);
    }
    return undefined;
  }

  #headersHook(id: string): HeadersHook {
    let initial = true;
    return {
      wanted: () => initial || listenerTable(this).headers !== undefined,
      add: (headers, req) => {
        if (initial) {
          initial = false;
          this.#initialHeaders(headers, req, id);
        }
        if (this.listenerCount("headers") > 0) this.emit("headers", headers, req);
      },
    };
  }

  #initialHeaders(headers: OutgoingHttpHeaders, req: IncomingMessage, id: string): void {
    const cookie = this.opts.cookie;
    if (cookie !== false) headers["Set-Cookie"] = [serializeCookie(cookie, id)];
    if (this.listenerCount("initial_headers") > 0) this.emit("initial_headers", headers, req);
  }

  #websocketServer(): WsServerLike {
    if (this.#wss !== null) return this.#wss;
    const Engine = (this.opts.wsEngine ?? WebSocketServer) as typeof WebSocketServer;
    const wss = new Engine({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: this.opts.perMessageDeflate,
      maxPayload: this.opts.maxHttpBufferSize,
    });
    // ws lets us add headers to the 101 answer: the cookie and the headers events
    wss.on("headers", (lines: string[], req: IncomingMessage) => {
      const headers: OutgoingHttpHeaders = {};
      const id = this.#pendingIds.get(req);
      if (id !== undefined) this.#initialHeaders(headers, req, id);
      if (this.listenerCount("headers") > 0) this.emit("headers", headers, req);
      for (const [k, v] of Object.entries(headers)) {
        if (v === undefined) continue;
        for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${String(one)}`);
      }
    });
    this.#wss = wss;
    return wss;
  }

  async #runMiddlewares(
    req: IncomingMessage,
    res: ServerResponse | UpgradeResponse,
    abort: (refusal: Refusal) => void,
  ): Promise<boolean> {
    for (const mw of this.#middlewares) {
      // a middleware that answers without calling next() leaves this promise pending: that is a refusal
      const err = await new Promise<unknown>((resolve) => {
        let called = false;
        const next = (e?: unknown): void => {
          if (called) return;
          called = true;
          resolve(e ?? null);
        };
        try {
          // on an upgrade, `res` is an UpgradeResponse: the ServerResponse subset middlewares use
          mw(req, res as ServerResponse, next);
        } catch (e) {
          next(e ?? new Error("middleware threw"));
        }
      });
      if (res.headersSent || res.writableEnded) return false;
      if (err !== null) {
        abort({ code: ENGINE_ERRORS.BAD_REQUEST, context: { name: "MIDDLEWARE_FAILURE", error: err } });
        return false;
      }
    }
    return true;
  }

  #refuse(req: IncomingMessage, refusal: Refusal): { status: number; message: string } {
    const message = refusal.message ?? ENGINE_ERROR_MESSAGES[refusal.code];
    if (this.listenerCount("connection_error") > 0) {
      this.emit("connection_error", { req, code: refusal.code, message, context: refusal.context ?? {} });
    }
    return { status: ENGINE_ERROR_STATUS[refusal.code], message };
  }

  #abortRequest(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
    const { status, message } = this.#refuse(req, refusal);
    writeEngineError(res, status, refusal.code, message);
  }

  #abortUpgrade(req: IncomingMessage, socket: Duplex, refusal: Refusal): void {
    const { status, message } = this.#refuse(req, refusal);
    const body = JSON.stringify({ code: refusal.code, message });
    writeRawResponse(socket, status, STATUS_CODES[status] ?? "Error", { "Content-Type": "application/json" }, body);
  }
}
