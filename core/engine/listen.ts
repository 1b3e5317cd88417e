/**
 * @module engine/listen — engine.io's module-level helpers: `attach(httpServer, opts)` and `listen(port, opts)`.
 */
import { createServer, type Server as HttpServer } from "node:http";
import { Server } from "./engine.js";
import type { HttpServerLike } from "./listener-takeover.js";
import type { EngineOptions } from "./options.js";

/**
 * Creates an engine and attaches it to an existing HTTP server.
 *
 * @param server a node:http(s) server
 * @param opts engine options
 * @returns the engine (its `close()` also detaches it)
 * @throws SKT_ERR_OPTIONS_* for invalid options, SKT_ERR_ENGINE_ALREADY_ATTACHED
 * @example
 * const engine = attach(httpServer, { path: "/realtime" });
 */
export function attach(server: HttpServerLike, opts?: EngineOptions): Server {
  const engine = new Server(opts);
  engine.attach(server);
  return engine;
}

/**
 * Creates an HTTP server answering 501 to anything but the engine, attaches an engine and listens.
 *
 * @param port the port (0 for any)
 * @param opts engine options
 * @param fn called once listening
 * @returns the engine; its `close()` also closes the HTTP server it created
 * @example
 * const engine = listen(3000, { pingInterval: 10_000 });
 */
export function listen(port: number, opts?: EngineOptions, fn?: () => void): Server {
  const http: HttpServer = createServer((_req, res) => {
    res.writeHead(501);
    res.end("Not Implemented");
  });
  const engine = attach(http, opts);
  const close = engine.close.bind(engine);
  Object.defineProperty(engine, "close", {
    value: () => {
      close();
      http.close();
      http.closeAllConnections();
      return engine;
    },
  });
  Object.defineProperty(engine, "httpServer", { value: http, enumerable: false });
  http.listen(port, fn);
  return engine;
}
