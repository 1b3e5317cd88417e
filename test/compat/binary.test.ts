/**
 * @module test/compat/binary — binary payloads in both directions, nested, and in acks.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../core/index.js";
import { setup, TRANSPORT_MODES, waitFor } from "./support.js";

for (const mode of TRANSPORT_MODES) {
  test(`binary round trips over ${mode.name}`, async (t) => {
    const s = await setup(t);
    const connected = waitFor<[Socket]>(s.io, "connection");
    const c = await s.connect("/", { transports: mode.transports });
    const [socket] = await connected;
    socket.on("upload", (meta: { name: string; parts: Buffer[] }, raw: Buffer, ack: (r: unknown) => void) => {
      ack({ name: meta.name, sizes: meta.parts.map((p) => p.length), first: raw[0], echo: raw });
    });
    const answer = (await c.emitWithAck("upload", { name: "f", parts: [Buffer.alloc(3), Buffer.alloc(5)] }, Buffer.from([9, 8]))) as {
      name: string;
      sizes: number[];
      first: number;
      echo: Buffer;
    };
    assert.equal(answer.name, "f");
    assert.deepEqual(answer.sizes, [3, 5]);
    assert.equal(answer.first, 9);
    assert.deepEqual([...new Uint8Array(answer.echo)], [9, 8]);

    const got = waitFor<[{ blob: Buffer; list: Uint8Array[] }]>(c, "download");
    s.io.emit("download", { blob: Buffer.from("hello"), list: [new Uint8Array([1]), new Uint8Array([2, 3])] });
    const [payload] = await got;
    assert.equal(Buffer.from(payload.blob).toString(), "hello");
    assert.deepEqual(payload.list.map((u) => [...new Uint8Array(u)]), [[1], [2, 3]]);
  });
}

test("emit, broadcast and ack refuse a circular payload with a TypeError and the connection goes on", async (t) => {
  const s = await setup(t);
  const connected = waitFor<[Socket]>(s.io, "connection");
  const c = await s.connect("/");
  const [socket] = await connected;
  const loop: Record<string, unknown> = { name: "loop" };
  loop.self = loop;
  const isCircularError = (e: unknown) => e instanceof TypeError && (e as { code?: unknown }).code === "SKT_ERR_PARSER_CIRCULAR";
  assert.throws(() => socket.emit("x", loop), isCircularError);
  assert.throws(() => s.io.emit("x", { file: Buffer.from([1]), loop }), isCircularError);
  const acked = new Promise<unknown>((resolve) => {
    socket.on("ask", (ack: (r: unknown) => void) => {
      try {
        ack(loop);
      } catch (err) {
        ack({ refused: (err as { code?: unknown }).code });
      }
      resolve(undefined);
    });
  });
  assert.deepEqual(await c.timeout(5000).emitWithAck("ask"), { refused: "SKT_ERR_PARSER_CIRCULAR" });
  await acked;
  const got = waitFor<[string]>(c, "fine");
  socket.emit("fine", "still connected");
  assert.deepEqual(await got, ["still connected"]);
});
