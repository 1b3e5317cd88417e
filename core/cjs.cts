/**
 * @module cjs — the CommonJS entry: like socket.io's, it is callable
 * (`require("socketeer")(httpServer, opts)` creates a Server) and also carries every named
 * export (`require("socketeer").Server`).
 */
import api = require("./index.js");

/**
 * Creates a Server, as `new Server(srv, opts)`.
 *
 * @example
 * const io = require("socketeer")(httpServer, { cors: { origin: "*" } });
 */
function socketeer(
  srv?: ConstructorParameters<typeof api.Server>[0],
  opts?: ConstructorParameters<typeof api.Server>[1],
): InstanceType<typeof api.Server> {
  return new api.Server(srv, opts);
}

const entry: typeof socketeer & typeof api = Object.assign(socketeer, api);
export = entry;
