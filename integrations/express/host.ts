/**
 * @module integrations/express/host — the Express app in front of a `Server` (the core's
 * `HttpHost` seam, core/server/http-host.ts): requests and upgrades under the server's path run
 * the app's middleware chain, whose last stop is the handler returned by `io.express()`.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { HttpHost } from "../../core/index.js";
import { InflightResponses, completeUpgrade, isUnderPath, prepareUpgrade } from "../shared/upgrade-routing.js";

/** Express's `next`. */
export type NextFunction = (err?: unknown) => void;

/** An Express-style middleware over node's request and response. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/** What the helper needs from an Express 4 or 5 app (`express()` returns one). */
export interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse, next?: NextFunction): unknown;
  use(handler: Middleware): unknown;
  listen(...args: never[]): HttpServer;
}

/** What the host needs of the `Server` it fronts. */
export interface HostedServer {
  path(): string;
  attach(srv: HttpServer): unknown;
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

type UntypedListen = (this: unknown, ...args: unknown[]) => HttpServer;

/** An Express app fronting one `Server`. */
export class ExpressHost implements HttpHost {
  readonly #app: ExpressApp;
  readonly #io: HostedServer;
  readonly #inflight = new InflightResponses();

  /** The handler at the end of the app's route for the server's path (`io.express()`). */
  readonly middleware: Middleware;

  /**
   * @param app the Express app
   * @param io the server it fronts
   */
  constructor(app: ExpressApp, io: HostedServer) {
    this.#app = app;
    this.#io = io;
    this.middleware = (req, res, next) => {
      const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url;
      if (!isUnderPath(url, io.path())) return next();
      // when mounted under a prefix Express strips it from req.url; the engine wants the full URL
      req.url = url;
      if (completeUpgrade(req, (r, socket, head) => io.handleUpgrade(r, socket, head))) return;
      this.#inflight.add(res);
      io.handleRequest(req, res);
    };
  }

  onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#app(req, res);
  }

  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const res = prepareUpgrade(req, socket, head);
    // the chain ended without reaching io.express(): answer like Express would
    this.#app(req, res, (err) => {
      res.statusCode = err === undefined || err === null ? 404 : 500;
      res.end();
    });
  }

  createServer(): HttpServer {
    return createServer(this.#app);
  }

  onClose(): void {
    this.#inflight.drain();
  }

  /**
   * Makes `app.listen()` attach the server it creates: the one change made to a user object,
   * on this app instance only (docs/express.md, "How app.listen() works").
   */
  hookListen(): void {
    const app = this.#app;
    const listen = app.listen as unknown as UntypedListen;
    if (typeof listen !== "function") return;
    const io = this.#io;
    //
    // Express's listen() creates the server and calls server.listen() synchronously: attaching
    // right after it returns is before any connection can arrive (socketio/socket.io#2846).
    //
    const attaching: UntypedListen = function (this: unknown, ...args) {
      const server = listen.apply(this, args);
      io.attach(server);
      return server;
    };
    app.listen = attaching as unknown as ExpressApp["listen"];
  }
}
