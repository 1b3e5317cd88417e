/**
 * @module test/helpers/listen — real HTTP servers on 127.0.0.1, port 0, closed after the test.
 */
import { createServer, type Server as HttpServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";

/** Starts a node:http server on 127.0.0.1:0; closes it (and its open connections) after the test. */
export async function listen(
  t: Pick<TestContext, "after"> | undefined,
  handler?: RequestListener,
  server: HttpServer = createServer(handler),
): Promise<{ server: HttpServer; port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  t?.after(() => closeServer(server));
  return { server, port, url: `http://127.0.0.1:${port}` };
}

/** Closes a server, dropping keep-alive and idle connections so the close cannot hang. */
export function closeServer(server: HttpServer): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The port a listening server is bound to. */
export function portOf(server: HttpServer): number {
  return (server.address() as AddressInfo).port;
}
