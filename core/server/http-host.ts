/**
 * @module server/http-host — the seam through which a host framework fronts a `Server` on the
 * HTTP servers it attaches to (socketeer/express). Without a host, `io.attach(server)` hands the
 * requests and upgrades under its path straight to the engine and `io.close()` closes that server,
 * as socket.io does. With one, they go through the host's own pipeline (its middleware chain,
 * which ends in `io.handleRequest` / `io.handleUpgrade`), and the HTTP server belongs to the host.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/** A host framework in front of a `Server`, set once under `io[kHttpHost]` before attaching. */
export interface HttpHost {
  /** A request under the server's path: run the host's pipeline, which ends in `io.handleRequest`. */
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  /** An upgrade under the server's path: run the host's pipeline, which ends in `io.handleUpgrade`. */
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The server `io.attach(port)` listens with (running the host app). */
  createServer(): HttpServer;
  /** `io.close()` began: let go of in-flight responses. The HTTP server stays open (it is the host's). */
  onClose(): void;
}
