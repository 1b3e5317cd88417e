/**
 * Graceful shutdown of the Socket.IO server: `io.close()` with clients on polling, on WebSocket,
 * mid-upgrade, one waiting in a namespace middleware, one connected to two namespaces and a
 * pending ack: every socket gets `server shutting down`, every client sees the end, and no timer,
 * socket or server handle of the process is left (the engine-level version is
 * test/engine/cleanup.test.ts).
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { Server } from "../../core/index.js";
import { listen } from "../helpers/listen.js";
import { once, until } from "../helpers/wait.js";

/** Resources of kinds a leak would show up as. */
function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) {
    if (r === "Timeout" || r === "TCPSocketWrap" || r === "TCPServerWrap" || r === "Immediate") out[r] = (out[r] ?? 0) + 1;
  }
  return out;
}

test("io.close() says 'server shutting down' to everyone and releases every timer and socket", async (t) => {
  const before = handles();
  const http = createServer();
  const { port } = await listen(undefined, undefined, http);
  // long timers: any left armed after the close would be counted
  const io = new Server(http, { pingInterval: 30_000, pingTimeout: 30_000, upgradeTimeout: 30_000, connectTimeout: 30_000 });
  const reasons: string[] = [];
  const track = (nsp: string): void => {
    io.of(nsp).on("connection", (s) => s.on("disconnect", (reason: string) => reasons.push(`${nsp}:${reason}`)));
  };
  track("/");
  track("/admin");
  // A namespace whose middleware never answers: that client is mid-CONNECT at shutdown.
  io.of("/stuck").use(() => undefined);
  // A pending server→client ack with a timeout must not outlive the socket.
  io.on("connection", (s) => s.on("start-ack", () => s.timeout(30_000).emit("never-answered", () => undefined)));

  const clients: ClientSocket[] = [];
  const open = (nsp: string, transports: ("polling" | "websocket")[], upgrade = false): ClientSocket => {
    const c = ioc(`http://127.0.0.1:${port}${nsp}`, { forceNew: true, reconnection: false, transports, upgrade });
    clients.push(c);
    return c;
  };
  t.after(() => {
    for (const c of clients) c.disconnect();
  });
  const polling = open("/", ["polling"]);
  const websocket = open("/", ["websocket"]);
  const upgrading = open("/", ["polling", "websocket"], true);
  const stuck = open("/stuck", ["websocket"]);
  const multi = open("/", ["websocket"]);
  await Promise.all([polling, websocket, upgrading, multi].map((c) => once(c, "connect")));
  const admin = multi.io.socket("/admin");
  admin.connect();
  await once(admin, "connect");
  clients.push(admin);
  websocket.on("never-answered", () => undefined);
  websocket.emit("start-ack");
  await until(() => io.engine.clientsCount === 5, 5_000, "every client in");

  const named = { polling, websocket, upgrading, multi, admin };
  const ends = Object.entries(named).map(([name, c]) =>
    once<[string]>(c, "disconnect").catch(() => {
      throw new Error(`the ${name} client saw no disconnect`);
    }),
  );
  const stuckEnd = once(stuck.io.engine, "close");
  await io.close();
  const clientReasons = (await Promise.all(ends)).map(([r]) => r);
  await stuckEnd;

  assert.equal(reasons.length, 5, reasons.join(", "));
  assert.ok(reasons.every((r) => r.endsWith(":server shutting down")), reasons.join(", "));
  assert.ok(reasons.includes("/admin:server shutting down"));
  // Every client sees its connection end (socket.io-client names it "transport close", or
  // "transport error" when its next poll is answered by the closed engine).
  const ok = new Set(["transport close", "transport error", "io server disconnect"]);
  assert.ok(clientReasons.every((r) => ok.has(r)), clientReasons.join(", "));
  assert.equal(http.listening, false);
  assert.equal(io.engine.clientsCount, 0);
  for (const c of clients) c.disconnect();
  await until(() => {
    const now = handles();
    return Object.keys(now).every((k) => (now[k] ?? 0) <= (before[k] ?? 0));
  }, 5_000, "every handle released");
});
