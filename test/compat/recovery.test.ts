/**
 * @module test/compat/recovery — connection state recovery (socket.io ≥ 4.6) with the official
 * client: the transport is cut with `socket.io.engine.close()`, as socket.io's docs suggest.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../core/index.js";
import { setup, waitFor } from "./support.js";

test("a client that reconnects in time gets its id, rooms, data and the packets it missed", async (t) => {
  const s = await setup(t, { connectionStateRecovery: { maxDisconnectionDuration: 60_000 } });
  let connected = waitFor<[Socket]>(s.io, "connection");
  const c = s.client("/", { reconnection: true, reconnectionDelay: 10, reconnectionDelayMax: 20 });
  await waitFor(c, "connect");
  const [first] = await connected;
  assert.equal(first.recovered, false);
  assert.equal(c.recovered, false);
  await first.join("team");
  first.data.user = "ann";
  const got: unknown[] = [];
  c.on("news", (n: unknown) => got.push(n));
  const before = waitFor(c, "news");
  first.emit("news", "before");
  await before;

  const gone = waitFor(first, "disconnect");
  c.io.engine.close();
  assert.equal((await gone)[0], "transport close");
  s.io.emit("news", "missed-broadcast");
  s.io.to("team").emit("news", "missed-room");
  s.io.to("other-room").emit("news", "not for us");
  s.io.volatile.emit("news", "volatile is not kept");

  connected = waitFor<[Socket]>(s.io, "connection");
  const [second] = await connected;
  await waitFor(c, "connect");
  assert.equal(second.recovered, true);
  assert.equal(c.recovered, true);
  assert.equal(second.id, first.id);
  assert.ok(second.rooms.has("team"));
  assert.equal(second.data.user, "ann");
  const after = waitFor(c, "news");
  second.emit("news", "after");
  await after;
  assert.deepEqual(got, ["before", "missed-broadcast", "missed-room", "after"]);
});

test("without a stored session the client gets a fresh socket", async (t) => {
  const s = await setup(t, { connectionStateRecovery: {} });
  const connected = waitFor<[Socket]>(s.io, "connection");
  const c = s.client("/", { auth: { pid: "unknown", offset: "nothing" } });
  await waitFor(c, "connect");
  const [socket] = await connected;
  assert.equal(socket.recovered, false);
});

test("recovery is off by default: a reconnection is a new socket", async (t) => {
  const s = await setup(t);
  let connected = waitFor<[Socket]>(s.io, "connection");
  const c = s.client("/", { reconnection: true, reconnectionDelay: 10, reconnectionDelayMax: 20 });
  const [first] = await connected;
  await waitFor(c, "connect");
  connected = waitFor<[Socket]>(s.io, "connection");
  c.io.engine.close();
  const [second] = await connected;
  assert.equal(second.recovered, false);
  assert.notEqual(second.id, first.id);
});
