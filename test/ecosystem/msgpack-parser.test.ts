/**
 * @module test/ecosystem/msgpack-parser — `socket.io-msgpack-parser` as the `parser` option, with
 * the official client using the same parser, over polling, WebSocket and the upgrade. Every
 * scenario runs on socket.io and on Socketeer and must give the same outcome.
 *
 * The parser encodes each Socket.IO packet as one binary MessagePack frame (no attachments), so
 * it takes the binary paths of both transports for every packet: base64 `b` packets over
 * polling, binary frames over WebSocket, and the pre-encoded broadcast frames.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as msgpackParser from "socket.io-msgpack-parser";
import type { Server, ServerOptions, Socket } from "../../core/index.js";
import { IMPLEMENTATIONS, setup, TRANSPORT_MODES, waitFor, type Setup } from "../compat/support.js";

/** What the `parser` option and the client's `parser` take (socket.io-parser's shape). */
const parser = msgpackParser as unknown as NonNullable<ServerOptions["parser"]>;

for (const impl of IMPLEMENTATIONS) {
  describe(`socket.io-msgpack-parser on ${impl.name}`, () => {
    const start = (t: Parameters<typeof setup>[0], opts: ServerOptions = {}): Promise<Setup> =>
      setup(t, { ...opts, parser }, impl.Server);

    for (const mode of TRANSPORT_MODES) {
      test(`events, binary and acks both ways over ${mode.name}`, async (t) => {
        const s = await start(t);
        const connected = waitFor<[Socket]>(s.io, "connection");
        const c = await s.connect("/", { transports: mode.transports, parser });
        const [socket] = await connected;
        if (mode.upgrade && c.io.engine.transport.name !== "websocket") await waitFor(c.io.engine, "upgrade");

        socket.on("upload", (meta: { name: string }, raw: Uint8Array, ack: (r: unknown) => void) => {
          ack({ name: meta.name, size: raw.byteLength, first: raw[0], nested: { blob: Buffer.from("ok") } });
        });
        const answer = (await c.emitWithAck("upload", { name: "f" }, Buffer.from([7, 8, 9]))) as {
          name: string;
          size: number;
          first: number;
          nested: { blob: Uint8Array };
        };
        assert.deepEqual(
          { name: answer.name, size: answer.size, first: answer.first, blob: Buffer.from(answer.nested.blob).toString() },
          { name: "f", size: 3, first: 7, blob: "ok" },
        );

        c.on("ask", (n: number, cb: (r: unknown) => void) => cb({ doubled: n * 2, at: new Uint8Array([n]) }));
        const reply = (await socket.timeout(5_000).emitWithAck("ask", 21)) as { doubled: number; at: Uint8Array };
        assert.equal(reply.doubled, 42);
        assert.deepEqual([...new Uint8Array(reply.at)], [21]);

        const got = waitFor<[{ text: string; list: number[]; big: Uint8Array }]>(c, "plain");
        socket.emit("plain", { text: "é✓", list: [1, 2, 3], big: Buffer.alloc(100_000, 1) });
        const [plain] = await got;
        assert.equal(plain.text, "é✓");
        assert.deepEqual(plain.list, [1, 2, 3]);
        assert.equal(plain.big.byteLength, 100_000);
      });

      test(`broadcasts to rooms, with exceptions and a broadcast ack, over ${mode.name}`, async (t) => {
        const s = await start(t);
        const join = async (): Promise<[ReturnType<Setup["client"]>, Socket]> => {
          const connected = waitFor<[Socket]>(s.io, "connection");
          const c = await s.connect("/", { transports: mode.transports, parser });
          return [c, (await connected)[0]];
        };
        const [c0, s0] = await join();
        const [c1, s1] = await join();
        const [c2] = await join();
        s0.join("team");
        s1.join("team");

        const seen: Record<string, string[]> = { c0: [], c1: [], c2: [] };
        for (const [name, c] of [["c0", c0], ["c1", c1], ["c2", c2]] as const) c.on("news", (n: string) => seen[name]!.push(n));
        const arrivals = [waitFor(c0, "news"), waitFor(c1, "news")];
        s.io.to("team").emit("news", "team");
        await Promise.all(arrivals);
        const last = [waitFor(c0, "news"), waitFor(c2, "news")];
        s.io.except(s1.id).emit("news", "all but 1");
        await Promise.all(last);
        assert.deepEqual(seen, { c0: ["team", "all but 1"], c1: ["team"], c2: ["all but 1"] });

        c0.on("poll", (cb: (r: number) => void) => cb(0));
        c1.on("poll", (cb: (r: number) => void) => cb(1));
        const answers = (await (s.io as Server).to("team").timeout(5_000).emitWithAck("poll")) as number[];
        assert.deepEqual([...answers].sort(), [0, 1]);
      });
    }

    test("namespaces, auth and a middleware's connect_error with data", async (t) => {
      const s = await start(t);
      s.io.of("/admin").use((socket, next) => {
        const token = (socket.handshake.auth as { token?: string }).token;
        if (token === "yes") return next();
        const err = new Error("not allowed") as Error & { data?: unknown };
        err.data = { reason: "token", bytes: [1, 2] };
        next(err);
      });
      const joined = waitFor<[Socket]>(s.io.of("/admin"), "connection");
      const ok = await s.connect("/admin", { parser, auth: { token: "yes" } });
      const [socket] = await joined;
      assert.equal(socket.nsp.name, "/admin");
      assert.ok(ok.connected);

      const refused = s.client("/admin", { parser, auth: { token: "no" } });
      const [err] = await waitFor<[Error & { data?: unknown }]>(refused, "connect_error");
      assert.equal(err.message, "not allowed");
      assert.deepEqual(err.data, { reason: "token", bytes: [1, 2] });

      const unknown = s.client("/nowhere", { parser });
      const [nspErr] = await waitFor<[Error]>(unknown, "connect_error");
      assert.equal(nspErr.message, "Invalid namespace");
    });

    test("connection state recovery: id, rooms and the missed packets come back", async (t) => {
      const s = await start(t, { connectionStateRecovery: { maxDisconnectionDuration: 60_000 } });
      let connected = waitFor<[Socket]>(s.io, "connection");
      const c = s.client("/", { parser, reconnection: true, reconnectionDelay: 10, reconnectionDelayMax: 20 });
      await waitFor(c, "connect");
      const [first] = await connected;
      first.join("team");
      const got: unknown[] = [];
      c.on("news", (n: unknown) => got.push(n));
      const before = waitFor(c, "news");
      first.emit("news", "before");
      await before;

      const gone = waitFor(first, "disconnect");
      c.io.engine.close();
      await gone;
      s.io.to("team").emit("news", { missed: Buffer.from([1]) });
      connected = waitFor<[Socket]>(s.io, "connection");
      const [second] = await connected;
      await waitFor(c, "connect");
      assert.equal(second.recovered, true);
      assert.equal(second.id, first.id);
      assert.ok(second.rooms.has("team"));
      const after = waitFor(c, "news");
      second.emit("news", "after");
      await after;
      assert.equal(got.length, 3);
      assert.equal(got[0], "before");
      assert.deepEqual([...new Uint8Array((got[1] as { missed: Uint8Array }).missed)], [1]);
      assert.equal(got[2], "after");
    });

    test("a client on the default parser cannot talk to a msgpack server: the server closes the connection", async (t) => {
      const s = await start(t);
      const c = s.client("/", { transports: ["websocket"] });
      c.on("connect", () => assert.fail("a default-parser client must not connect"));
      const [reason] = await waitFor<[string]>(c, "disconnect");
      assert.equal(reason, "transport close");
    });
  });
}
