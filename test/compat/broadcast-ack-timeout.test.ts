/**
 * @module test/compat/broadcast-ack-timeout — a broadcast with acks that times out: the sockets
 * that never answered forget the ack (no entry left until they disconnect), and the error carries
 * the answers received so far (`err.responses`). Every scenario runs on socket.io too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../core/index.js";
import { IMPLEMENTATIONS, setup, waitFor, type Setup } from "./support.js";

async function twoClients(s: Setup) {
  const out = [];
  for (let i = 0; i < 2; i++) {
    const connected = waitFor<[Socket]>(s.io, "connection");
    const client = await s.connect();
    const [socket] = await connected;
    out.push({ client, socket });
  }
  return out as [(typeof out)[number], (typeof out)[number]];
}

for (const { name, Server } of IMPLEMENTATIONS) {
  test(`${name}: io.timeout(ms).emit(ev, cb): silent sockets do not keep the ack after the timeout`, async (t) => {
    const s = await setup(t, undefined, Server);
    const [talker, silent] = await twoClients(s);
    talker.client.on("q", (cb: (v: string) => void) => cb("yes"));
    silent.client.on("q", () => {});
    const [err, responses] = await new Promise<[Error | null, unknown[]]>((resolve) =>
      s.io.timeout(150).emit("q", (e: Error | null, r: unknown[]) => resolve([e, r])),
    );
    assert.ok(err instanceof Error);
    assert.deepEqual(responses, ["yes"]);
    assert.equal(talker.socket.acks.size, 0);
    assert.equal(silent.socket.acks.size, 0);
  });

  test(`${name}: a room broadcast's timeout clears the ack on the room's silent sockets`, async (t) => {
    const s = await setup(t, undefined, Server);
    const [a, b] = await twoClients(s);
    await a.socket.join("r");
    await b.socket.join("r");
    for (const { client } of [a, b]) client.on("q", () => {});
    await assert.rejects(s.io.to("r").timeout(100).emitWithAck("q"));
    assert.equal(a.socket.acks.size, 0);
    assert.equal(b.socket.acks.size, 0);
  });

  test(`${name}: emitWithAck's timeout error carries the answers received so far in err.responses; the callback form gets them as its second argument`, async (t) => {
    const s = await setup(t, undefined, Server);
    const [talker, silent] = await twoClients(s);
    talker.client.on("q", (cb: (v: number) => void) => cb(1));
    silent.client.on("q", () => {});
    const err = await s.io
      .timeout(150)
      .emitWithAck("q")
      .then(
        () => assert.fail("expected a timeout"),
        (e: Error & { responses?: unknown[] }) => e,
      );
    assert.match(err.message, /timed out/);
    assert.deepEqual(err.responses, [1]);
    const [cbErr, responses] = await new Promise<[Error | null, unknown[]]>((resolve) =>
      s.io.timeout(150).emit("q", (e: Error | null, r: unknown[]) => resolve([e, r])),
    );
    assert.ok(cbErr instanceof Error);
    assert.deepEqual(responses, [1]);
  });
}
