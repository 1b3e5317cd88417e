/**
 * @module test/compat/v3-client — the socket.io v3 client (`socket.io-client@3.1.3`: Engine.IO v4,
 * Socket.IO protocol v5, the same protocol as v4) against the server with its default options.
 * Every scenario runs on socket.io and on Socketeer with the same assertions.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, test, type TestContext } from "node:test";
import type { io as ioV4, Socket as V3Socket } from "socket.io-client";
import type { Socket } from "../../core/index.js";
import { IMPLEMENTATIONS, setup, TRANSPORT_MODES, waitFor, type Setup } from "./support.js";

/** The v3 client (the `socket.io-client-v3` alias), typed with v4's declarations: its API is the same. */
const ioV3 = (createRequire(import.meta.url)("socket.io-client-v3") as { io: typeof ioV4 }).io;
type V3Options = NonNullable<Parameters<typeof ioV3>[1]>;

/** A v3 client to `s` (closed after the test), and its `connect`. */
async function connectV3(t: TestContext, s: Setup, nsp: string, opts: V3Options): Promise<V3Socket> {
  const c = ioV3(s.url + nsp, { forceNew: true, reconnection: false, ...opts });
  t.after(() => void c.close());
  await waitFor(c, "connect");
  return c;
}

for (const impl of IMPLEMENTATIONS) {
  describe(`socket.io-client v3 on ${impl.name}`, () => {
    for (const mode of TRANSPORT_MODES) {
      test(`connect, events, binary, acks both ways and rooms over ${mode.name}`, async (t) => {
        const s = await setup(t, {}, impl.Server);
        const connected = waitFor<[Socket]>(s.io, "connection");
        const c = await connectV3(t, s, "/", { transports: mode.transports });
        const [socket] = await connected;
        assert.equal(c.id, socket.id);
        if (mode.upgrade && c.io.engine.transport.name !== "websocket") await waitFor(c.io.engine, "upgrade");

        socket.on("upload", (raw: Buffer, ack: (r: unknown) => void) => ack({ size: raw.length, back: raw }));
        const answer = await new Promise<{ size: number; back: ArrayBuffer | Buffer }>((resolve) =>
          c.emit("upload", Buffer.from([1, 2, 3]), resolve),
        );
        assert.equal(answer.size, 3);
        assert.deepEqual([...new Uint8Array(answer.back)], [1, 2, 3]);

        c.on("ask", (n: number, cb: (r: number) => void) => cb(n + 1));
        assert.equal(await socket.timeout(5_000).emitWithAck("ask", 41), 42);

        socket.join("team");
        const news = waitFor<[string]>(c, "news");
        s.io.to("team").emit("news", "for the team");
        assert.deepEqual(await news, ["for the team"]);
      });
    }

    test("namespaces, auth, and a middleware's connect_error with data", async (t) => {
      const s = await setup(t, {}, impl.Server);
      s.io.of("/admin").use((socket, next) => {
        if ((socket.handshake.auth as { token?: string }).token === "yes") return next();
        const err = new Error("not allowed") as Error & { data?: unknown };
        err.data = { reason: "token" };
        next(err);
      });
      const joined = waitFor<[Socket]>(s.io.of("/admin"), "connection");
      await connectV3(t, s, "/admin", { auth: { token: "yes" } });
      assert.equal((await joined)[0].nsp.name, "/admin");

      const refused = ioV3(s.url + "/admin", { forceNew: true, reconnection: false, auth: { token: "no" } });
      t.after(() => void refused.close());
      const [err] = await waitFor<[Error & { data?: unknown }]>(refused, "connect_error");
      assert.equal(err.message, "not allowed");
      assert.deepEqual(err.data, { reason: "token" });
    });

    test("server-side disconnect: the client sees io server disconnect", async (t) => {
      const s = await setup(t, {}, impl.Server);
      const connected = waitFor<[Socket]>(s.io, "connection");
      const c = await connectV3(t, s, "/", { transports: ["websocket"] });
      const [socket] = await connected;
      const gone = waitFor<[string]>(c, "disconnect");
      socket.disconnect();
      assert.deepEqual(await gone, ["io server disconnect"]);
    });
  });
}
