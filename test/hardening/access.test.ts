/**
 * Access: a session id is a bearer credential, not bound to the client's address (as in
 * engine.io: clients move between networks and sit behind proxies); an application that wants
 * the binding adds it with one engine middleware, shown here. Covered elsewhere: CORS allowed,
 * refused, credentials and preflight (test/protocol/cors.test.ts), allowRequest (test/protocol/
 * handshake.test.ts), connection middlewares (test/compat/namespaces.test.ts), the Fastify and
 * Express auth hooks (test/integrations/), id entropy (test/engine/util.test.ts).
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { test } from "node:test";
import { parseOpen } from "../helpers/raw-engine-client.js";
import { startIo } from "./support.js";

/** A request from a chosen local address (127.0.0.2 is loopback too on Linux). */
function from(url: string, localAddress: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const method = body === undefined ? "GET" : "POST";
    const req = request(url, { localAddress, agent: false, method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("a known sid used from another address is served by default, and refused with a binding middleware", async (t) => {
  const f = await startIo(t, { pingInterval: 60_000 });
  const open = parseOpen((await from(`${f.base}?EIO=4&transport=polling`, "127.0.0.1")).body);
  const session = `${f.base}?EIO=4&transport=polling&sid=${open.sid}`;
  // Documented default: the sid alone identifies the session (120 random bits, never guessable).
  const ok = await from(session, "127.0.0.2", "40");
  assert.equal(ok.status, 200);
  assert.equal(ok.body, "ok");

  // Binding a session to the address of its handshake is one middleware.
  f.io.engine.use((req: IncomingMessage, res: ServerResponse, next: (err?: Error) => void) => {
    const sid = new URL(req.url ?? "/", "http://x").searchParams.get("sid");
    const owner = sid === null ? undefined : f.io.engine.clients[sid];
    if (owner !== undefined && owner.remoteAddress !== req.socket.remoteAddress) {
      res.writeHead(403).end();
      return;
    }
    next();
  });
  const refused = await from(session, "127.0.0.2", "40");
  assert.equal(refused.status, 403);
  assert.ok(f.io.engine.clients[open.sid], "the owner's session is untouched");
});
