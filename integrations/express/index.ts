/**
 * @module integrations/express — binds a Socketeer `Server` to an Express 4/5 app, so that
 * polling requests and the WebSocket upgrade both go through the app's middleware chain.
 *
 * `socketeer(app, opts)` mounts `io.express()` with `app.use()` and patches `app.listen` on that
 * app instance only, so the server it creates gets the upgrade listener. For a server you create
 * yourself (`http.createServer(app)`, `https`), call `io.attach(server)`, before or after it listens.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import { debuglog } from "node:util";
import {
  Server,
  createError,
  type DefaultEventsMap,
  type DefaultSocketData,
  type EventsMap,
  type ServerOptions,
} from "../../core/index.js";
import {
  InflightResponses,
  completeUpgrade,
  isHandshake,
  isUnderPath,
  onUpgrade,
  prepareUpgrade,
} from "../shared/upgrade-routing.js";
export type {} from "./types.js";

const debug = debuglog("socketeer:express");

/** Express's `next`. */
export type NextFunction = (err?: unknown) => void;

/** An Express-style middleware over node's request and response. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/**
 * What `io.engine.use()` takes. Express middleware (typed for Express's request and response)
 * runs there on the upgrade with a ServerResponse-like object, as with socket.io.
 */
export type EngineMiddleware = Parameters<Server["engine"]["use"]>[0];

/** What the helper needs from an Express 4 or 5 app (`express()` returns one). */
export interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse, next?: NextFunction): unknown;
  use(handler: Middleware): unknown;
  listen(...args: never[]): HttpServer;
}

/** Options of {@link socketeer}: every `Server` option, plus where to mount. */
export interface ExpressServerOptions extends ServerOptions {
  /**
   * Mount `io.express()` on the app at once with `app.use()`. Set `false` to place it yourself
   * (`app.use(io.express())`) after the middlewares that must run first.
   * @default true
   */
  mount?: boolean;
}

type UntypedListen = (this: unknown, ...args: unknown[]) => HttpServer;
type UntypedClose = (this: unknown, cb?: (err?: Error) => void) => HttpServer;

/**
 * A `Server` bound to an Express app (what {@link socketeer} returns).
 * `io.attach(server)` adds the upgrade listener (through the app's chain) to a server running the app;
 * `io.close()` disconnects every socket with `"server shutting down"` and detaches, but leaves
 * the HTTP server open; `server.close()` on an attached server closes `io` first.
 */
export class ExpressServer<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = DefaultSocketData,
> extends Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  readonly #app: ExpressApp;
  readonly #path: string;
  readonly #inflight = new InflightResponses();
  readonly #attached = new Map<HttpServer, () => void>();

  /**
   * @param app an Express 4/5 app
   * @param opts server options, plus `mount`
   * @throws SKT_ERR_INVALID_ARG when `app` is not an Express app; the Server's option errors
   */
  constructor(app: ExpressApp, opts: ExpressServerOptions = {}) {
    if (typeof app !== "function" || typeof app.use !== "function") {
      throw createError("SKT_ERR_INVALID_ARG", "app", "an Express application (express())");
    }
    const { mount, ...serverOpts } = opts;
    super(serverOpts);
    this.#app = app;
    this.#path = this.path();
    if (mount ?? true) app.use(this.express());
    patchListen(app, (server) => this.attach(server));
  }

  /**
   * The middleware serving this server's path; other requests go on with `next()`. Mounted by
   * default; with `mount: false`, place it yourself.
   *
   * @returns an Express middleware
   * @example
   * const io = socketeer(app, { mount: false });
   * app.use(session(sessionOptions));
   * app.use(io.express());
   */
  express(): Middleware {
    return (req, res, next) => {
      const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url;
      if (!isUnderPath(url, this.#path)) return next();
      // when mounted under a prefix Express strips it from req.url; the engine wants the full URL
      req.url = url;
      if (completeUpgrade(req, (r, socket, head) => this.handleUpgrade(r, socket, head))) return;
      this.#inflight.add(res);
      this.handleRequest(req, res);
    };
  }

  /**
   * Routes the WebSocket upgrades of `server` through the app's middleware chain to this server.
   * Upgrades for other paths are left to the server's other listeners. `server.close()` on it
   * closes this `io` first, so it cannot hang on open sessions.
   *
   * @param srv a node:http or node:https server running this app, or a port for `app.listen(port)`
   * @returns this server
   * @throws SKT_ERR_ENGINE_ALREADY_ATTACHED when already attached to `server`
   * @example
   * const server = https.createServer(tlsOptions, app);
   * io.attach(server);
   * server.listen(443);
   */
  override attach(srv: HttpServer | number): this {
    // a port: let the app create and listen, as socket.io's attach(port) does; listen() attaches
    if (typeof srv === "number") {
      this.#app.listen(...([srv] as never[]));
      return this;
    }
    const server = srv;
    if (this.#attached.has(server)) throw createError("SKT_ERR_ENGINE_ALREADY_ATTACHED", this.#path);
    const detachUpgrade = onUpgrade(
      server,
      (req) => isUnderPath(req.url, this.#path),
      (req, socket, head) => {
        const res = prepareUpgrade(req, socket, head);
        // the chain ended without reaching io.express(): answer like Express would
        this.#app(req, res, (err) => {
          res.statusCode = err === undefined || err === null ? 404 : 500;
          res.end();
        });
      },
    );
    const close = server.close as UntypedClose;
    const patched: UntypedClose = (cb) => {
      this.close().catch((err: unknown) => debug("closing on server.close() failed: %s", err));
      return close.call(server, cb);
    };
    server.close = patched as HttpServer["close"];
    const onClosed = (): void => this.#detach(server);
    server.once("close", onClosed);
    this.#attached.set(server, () => {
      detachUpgrade();
      server.off("close", onClosed);
      if (server.close === patched) server.close = close as HttpServer["close"];
    });
    return this;
  }

  /**
   * Disconnects every socket (`"server shutting down"`), makes answered polling connections
   * close, and detaches from every server. The HTTP servers stay open.
   *
   * @param fn called once closed
   * @returns a promise settled once the server is closed
   */
  override close(fn?: (err?: Error) => void): Promise<void> {
    this.#inflight.drain();
    for (const server of [...this.#attached.keys()]) this.#detach(server);
    return super.close(fn);
  }

  #detach(server: HttpServer): void {
    this.#attached.get(server)?.();
    this.#attached.delete(server);
  }
}

function patchListen(app: ExpressApp, attach: (server: HttpServer) => void): void {
  const listen = app.listen as unknown as UntypedListen;
  if (typeof listen !== "function") return;
  //
  // Express's listen() creates the server and calls server.listen() synchronously: attaching
  // right after it returns is before any connection can arrive (socketio/socket.io#2846).
  //
  const patched: UntypedListen = function (this: unknown, ...args) {
    const server = listen.apply(this, args);
    attach(server);
    return server;
  };
  app.listen = patched as unknown as ExpressApp["listen"];
}

/**
 * Creates a `Server` bound to an Express app: polling requests go through the app's middleware
 * chain (mounted with `app.use()`), and a plain `app.listen()` serves the WebSocket upgrade too,
 * again through the chain. A middleware answering 401 gives the client a real HTTP 401.
 *
 * @param app an Express 4 or 5 app
 * @param opts `Server` options, plus `mount` (default true)
 * @returns the bound server
 * @throws SKT_ERR_INVALID_ARG when `app` is not an Express app
 * @example
 * import express from "express";
 * import { socketeer } from "socketeer/express";
 * const app = express();
 * app.use(session({ secret: "s", resave: false, saveUninitialized: false }));
 * const io = socketeer(app);
 * io.on("connection", (socket) => socket.emit("hello", socket.request.session.id));
 * app.listen(3000);
 */
export function socketeer<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = DefaultSocketData,
>(app: ExpressApp, opts?: ExpressServerOptions): ExpressServer<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  return new ExpressServer<ListenEvents, EmitEvents, ServerSideEvents, SocketData>(app, opts);
}

/**
 * Wraps a middleware so it runs only on the Engine.IO handshake (a request without `sid`), not
 * on every polling request and upgrade of the session. Other requests of the app still run it.
 * Use it for session, passport, helmet or cors middleware that the handshake alone needs.
 *
 * @param mw an Express-style middleware
 * @returns the same middleware, also typed for `io.engine.use()`
 * @example
 * io.engine.use(handshakeOnly(passport.session()));
 */
export function handshakeOnly<M extends (req: never, res: never, next: NextFunction) => unknown>(
  mw: M,
): M & EngineMiddleware {
  const wrapped = (req: IncomingMessage, res: unknown, next: NextFunction): unknown =>
    isHandshake(req) ? (mw as unknown as (a: unknown, b: unknown, c: NextFunction) => unknown)(req, res, next) : next();
  return wrapped as unknown as M & EngineMiddleware;
}

export default socketeer;
