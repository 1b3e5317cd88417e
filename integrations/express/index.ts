/**
 * @module integrations/express — binds a Socketeer `Server` to an Express 4/5 app, so that
 * polling requests and the WebSocket upgrade both go through the app's middleware chain.
 *
 * `socketeer(app, opts)` composes a plain `Server` with an Express host (integrations/express/host.ts):
 * the server's `attach()` routes its path through the app, `io.express()` is the handler at the
 * end of that route, and `io.close()` leaves the HTTP server open. The one change made to a user
 * object is on the app: `app.listen()` attaches the server it creates (docs/express.md,
 * "How app.listen() works"). For a server you create yourself (`http.createServer(app)`, `https`),
 * call `io.attach(server)`, before or after it listens.
 */
import {
  Server,
  createError,
  kHttpHost,
  type DefaultEventsMap,
  type DefaultSocketData,
  type EventsMap,
  type ServerOptions,
} from "../../core/index.js";
import { isHandshake } from "../shared/upgrade-routing.js";
import { ExpressHost, type ExpressApp, type Middleware, type NextFunction } from "./host.js";
export type {} from "./types.js";
export type { ExpressApp, Middleware, NextFunction } from "./host.js";

/**
 * What `io.engine.use()` takes. Express middleware (typed for Express's request and response)
 * runs there on the upgrade with a ServerResponse-like object, as with socket.io.
 */
export type EngineMiddleware = Parameters<Server["engine"]["use"]>[0];

/** Options of {@link socketeer}: every `Server` option, plus where to mount. */
export interface ExpressServerOptions extends ServerOptions {
  /**
   * Mount `io.express()` on the app at once with `app.use()`. Set `false` to place it yourself
   * (`app.use(io.express())`) after the middlewares that must run first.
   * @default true
   */
  mount?: boolean;
}

/** What {@link socketeer} adds to the `Server` it returns. */
export interface ExpressBinding {
  /**
   * The middleware serving the server's path; other requests go on with `next()`. Mounted by
   * default; with `mount: false`, place it yourself.
   *
   * @returns an Express middleware (the same one on every call)
   * @example
   * const io = socketeer(app, { mount: false });
   * app.use(session(sessionOptions));
   * app.use(io.express());
   */
  express(): Middleware;
}

/**
 * A `Server` bound to an Express app (what {@link socketeer} returns): a plain `Server` plus
 * `express()`. `io.attach(server, opts?)` routes the server's path through the app's chain;
 * `io.close()` disconnects every socket with `"server shutting down"` and detaches, but leaves
 * the HTTP server open.
 */
export type ExpressServer<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = DefaultSocketData,
> = Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData> & ExpressBinding;

/**
 * Creates a `Server` bound to an Express app: polling requests and WebSocket upgrades go through
 * the app's middleware chain, and a plain `app.listen()` serves both. A middleware answering 401
 * gives the client a real HTTP 401.
 *
 * @param app an Express 4 or 5 app
 * @param opts `Server` options, plus `mount` (default true)
 * @returns the bound server
 * @throws SKT_ERR_INVALID_ARG when `app` is not an Express app; the Server's option errors
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
>(app: ExpressApp, opts: ExpressServerOptions = {}): ExpressServer<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  if (typeof app !== "function" || typeof app.use !== "function") {
    throw createError("SKT_ERR_INVALID_ARG", "app", "an Express application (express())");
  }
  const { mount, ...serverOpts } = opts;
  const io = new Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>(serverOpts);
  const host = new ExpressHost(app, io);
  io[kHttpHost] = host;
  const middleware = host.middleware;
  if (mount ?? true) app.use(middleware);
  host.hookListen();
  return Object.assign(io, { express: (): Middleware => middleware });
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
  const wrapped = (req: import("node:http").IncomingMessage, res: unknown, next: NextFunction): unknown =>
    isHandshake(req) ? (mw as unknown as (a: unknown, b: unknown, c: NextFunction) => unknown)(req, res, next) : next();
  return wrapped as unknown as M & EngineMiddleware;
}

export default socketeer;
