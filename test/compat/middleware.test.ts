/**
 * @module test/compat/middleware — packet middlewares (`socket.use`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../core/index.js";
import { setup, waitFor } from "./support.js";

test("socket.use sees every incoming event and can rewrite its arguments", async (t) => {
  const { io, connect } = await setup(t);
  const connected = waitFor<[Socket]>(io, "connection");
  const c = await connect();
  const [socket] = await connected;
  const seen: unknown[] = [];
  socket.use((event, next) => {
    seen.push(event[0]);
    event[1] = `${String(event[1])}!`;
    next();
  });
  const got = waitFor(socket, "shout");
  c.emit("shout", "hey");
  assert.deepEqual(await got, ["hey!"]);
  assert.deepEqual(seen, ["shout"]);
});

test("next(err) in a packet middleware drops the event and emits error on the socket", async (t) => {
  const { io, connect } = await setup(t);
  const connected = waitFor<[Socket]>(io, "connection");
  const c = await connect();
  const [socket] = await connected;
  socket.use(([event], next) => (event === "forbidden" ? next(new Error("nope")) : next()));
  let forbiddenHandled = false;
  socket.on("forbidden", () => (forbiddenHandled = true));
  const error = waitFor<[Error]>(socket, "error");
  c.emit("forbidden");
  const [err] = await error;
  assert.equal(err.message, "nope");
  const allowed = waitFor(socket, "allowed");
  c.emit("allowed", 1);
  assert.deepEqual(await allowed, [1]);
  assert.equal(forbiddenHandled, false);
});

test("onAny/prependAny/offAny/listenersAny and the outgoing variants", async (t) => {
  const { io, connect } = await setup(t);
  const connected = waitFor<[Socket]>(io, "connection");
  const c = await connect();
  const [socket] = await connected;
  const log: string[] = [];
  const a = (ev: string) => log.push(`a:${ev}`);
  const b = (ev: string) => log.push(`b:${ev}`);
  socket.onAny(a);
  socket.prependAny(b);
  assert.deepEqual(socket.listenersAny(), [b, a]);
  const got = waitFor(socket, "x");
  c.emit("x", 1);
  await got;
  assert.deepEqual(log, ["b:x", "a:x"]);
  socket.offAny(b);
  assert.deepEqual(socket.listenersAny(), [a]);
  socket.offAny();
  assert.deepEqual(socket.listenersAny(), []);

  const out: unknown[][] = [];
  const o = (...args: unknown[]) => out.push(args);
  socket.onAnyOutgoing(o);
  socket.prependAnyOutgoing(o);
  assert.equal(socket.listenersAnyOutgoing().length, 2);
  socket.offAnyOutgoing(o);
  assert.equal(socket.listenersAnyOutgoing().length, 0);
  socket.onAnyOutgoing(o);
  const received = waitFor(c, "direct");
  const receivedBroadcast = waitFor(c, "all");
  socket.emit("direct", 1);
  io.emit("all", 2);
  await Promise.all([received, receivedBroadcast]);
  assert.deepEqual(out, [["direct", 1], ["all", 2]]);
});
