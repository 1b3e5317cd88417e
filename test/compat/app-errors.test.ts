/**
 * @module test/compat/app-errors — an exception thrown by application code while a packet is
 * handled (connection listeners, `new_namespace`, namespace-creation functions, packet
 * middlewares) is the application's: it surfaces as uncaught, never as a `parse error` that
 * disconnects the client. Run on socket.io and Socketeer, over both transports.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../core/index.js";
import { captureUncaught } from "../helpers/uncaught.js";
import { IMPLEMENTATIONS, TRANSPORT_MODES, setup, waitFor } from "./support.js";

const MODES = TRANSPORT_MODES.filter((m) => m.name !== "upgrade");

for (const { name, Server } of IMPLEMENTATIONS) {
  for (const mode of MODES) {
    describe(`${name}, ${mode.name}`, () => {
      const copts = { transports: mode.transports, upgrade: mode.upgrade };

      test("a throwing connection listener surfaces as uncaught and the client stays connected", async (t) => {
        const uncaught = captureUncaught(t);
        const { io, connect } = await setup(t, undefined, Server);
        io.on("connection", () => {
          throw new Error("boom-connection");
        });
        const c = await connect("/", copts);
        assert.equal(((await uncaught.next()) as Error).message, "boom-connection");
        // still connected: an event round-trips
        const [socket] = [...io.sockets.sockets.values()] as Socket[];
        const got = waitFor(socket!, "ping");
        c.emit("ping", 1);
        assert.deepEqual(await got, [1]);
        assert.equal(c.connected, true);
      });

      test("a throwing packet middleware surfaces as uncaught and the client stays connected", async (t) => {
        const uncaught = captureUncaught(t);
        const { io, connect } = await setup(t, undefined, Server);
        const connected = waitFor<[Socket]>(io, "connection");
        const c = await connect("/", copts);
        const [socket] = await connected;
        socket.use(([ev], next) => {
          if (ev === "bad") throw new Error("boom-middleware");
          next();
        });
        let errorEvent = false;
        socket.on("error", () => (errorEvent = true));
        c.emit("bad");
        assert.equal(((await uncaught.next()) as Error).message, "boom-middleware");
        const got = waitFor(socket, "good");
        c.emit("good", 2);
        assert.deepEqual(await got, [2]);
        assert.equal(errorEvent, false);
        assert.equal(c.connected, true);
      });

      test("a namespace-creation function that throws closes the connection at once", async (t) => {
        const uncaught = captureUncaught(t);
        const { io, client } = await setup(t, { connectTimeout: 20_000 }, Server);
        io.of(() => {
          throw new Error("boom-matcher");
        });
        const c = client("/dynamic", copts);
        const [reason] = await waitFor<[string]>(c, "disconnect");
        assert.equal(reason, "transport close");
        if (name === "Socketeer") {
          // on purpose: socket.io swallows it; we let the application see it
          assert.equal(((await uncaught.next()) as Error).message, "boom-matcher");
        }
      });

      test("a new_namespace listener that throws for a dynamic child closes the connection at once", async (t) => {
        const uncaught = captureUncaught(t);
        const { io, client } = await setup(t, { connectTimeout: 20_000 }, Server);
        io.of(/^\/dyn-\d+$/);
        io.on("new_namespace", () => {
          throw new Error("boom-new-namespace");
        });
        const c = client("/dyn-1", copts);
        const [reason] = await waitFor<[string]>(c, "disconnect");
        assert.equal(reason, "transport close");
        if (name === "Socketeer") {
          assert.equal(((await uncaught.next()) as Error).message, "boom-new-namespace");
        }
      });

      test("a synchronous throw in an io.use middleware never crashes a Socketeer server", { skip: name !== "Socketeer" }, async (t) => {
        const uncaught = captureUncaught(t);
        const { io, client } = await setup(t, undefined, Server);
        io.use(() => {
          throw new Error("boom-use");
        });
        const c = client("/", copts);
        const [err] = await waitFor<[Error]>(c, "connect_error");
        assert.equal(err.message, "boom-use");
        assert.deepEqual(uncaught.errors, []);
      });
    });
  }
}

test("Socketeer: a connection listener throwing on a restored session surfaces as uncaught", async (t) => {
  const uncaught = captureUncaught(t);
  const { io, client } = await setup(t, { connectionStateRecovery: {} });
  io.on("connection", (socket) => {
    if (socket.recovered) throw new Error("boom-recovered");
    // an event gives the client an offset to recover from
    socket.emit("hello");
  });
  const c = client("/", { reconnection: true, reconnectionDelay: 10, reconnectionDelayMax: 10 });
  await waitFor(c, "hello");
  const [socket] = [...io.sockets.sockets.values()];
  // the transport closes: a recoverable disconnection
  socket!.conn.close();
  await waitFor(c, "disconnect");
  assert.equal(((await uncaught.next()) as Error).message, "boom-recovered");
  if (!c.connected) await waitFor(c, "connect");
  assert.equal(c.recovered, true);
});
