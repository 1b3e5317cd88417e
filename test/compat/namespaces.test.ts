/**
 * @module test/compat/namespaces — static and dynamic namespaces, connection middlewares and
 * their errors, as the official client sees them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Namespace, Socket } from "../../core/index.js";
import { setup, waitFor } from "./support.js";

test("connects to a static namespace and several namespaces on one connection", async (t) => {
  const { io, client } = await setup(t);
  const names: string[] = [];
  io.of("/chat").on("connection", (s) => names.push(s.nsp.name));
  io.on("connection", (s) => names.push(s.nsp.name));
  const root = client("/", { forceNew: false, transports: ["polling", "websocket"] });
  const chat = root.io.socket("/chat");
  chat.connect();
  await Promise.all([waitFor(root, "connect"), waitFor(chat, "connect")]);
  assert.deepEqual(names.sort(), ["/", "/chat"]);
  assert.equal(io.engine.clientsCount, 1, "both namespaces share one Engine.IO connection");
  chat.disconnect();
});

test("refuses an unknown namespace with connect_error 'Invalid namespace'", async (t) => {
  const { client } = await setup(t);
  const c = client("/nope");
  const [err] = await waitFor<[Error]>(c, "connect_error");
  assert.equal(err.message, "Invalid namespace");
});

test("creates children of a RegExp namespace on demand and emits new_namespace", async (t) => {
  const { io, connect } = await setup(t);
  const parent = io.of(/^\/room-\d+$/);
  const created: string[] = [];
  io.on("new_namespace", (nsp: Namespace) => created.push(nsp.name));
  const connected = waitFor<[Socket]>(parent, "connection");
  await connect("/room-42");
  const [socket] = await connected;
  assert.equal(socket.nsp.name, "/room-42");
  assert.deepEqual(created, ["/room-42"]);
  assert.equal(io.of("/room-42"), socket.nsp, "the child is registered under its name");
});

test("a function matcher decides with the auth payload; parent middlewares apply to children", async (t) => {
  const { io, client } = await setup(t);
  const order: string[] = [];
  const parent = io.of((name, auth, next) => next(null, name.startsWith("/team-") && auth.ok === true));
  parent.use((socket, next) => {
    order.push(`mw:${socket.nsp.name}`);
    next();
  });
  parent.on("connection", (socket) => order.push(`conn:${socket.nsp.name}`));
  const ok = client("/team-a", { auth: { ok: true } });
  await waitFor(ok, "connect");
  const refused = client("/team-b", { auth: { ok: false } });
  const [err] = await waitFor<[Error]>(refused, "connect_error");
  assert.equal(err.message, "Invalid namespace");
  assert.deepEqual(order, ["mw:/team-a", "conn:/team-a"]);
});

test("a broadcast on the parent reaches every child", async (t) => {
  const { io, connect } = await setup(t);
  const parent = io.of(/^\/dyn-\w+$/);
  const a = await connect("/dyn-a");
  const b = await connect("/dyn-b");
  const got = Promise.all([waitFor(a, "hi"), waitFor(b, "hi")]);
  parent.emit("hi", 1);
  assert.deepEqual(await got, [[1], [1]]);
});

test("cleanupEmptyChildNamespaces removes a child when its last socket leaves", async (t) => {
  const { io, connect } = await setup(t, { cleanupEmptyChildNamespaces: true });
  const parent = io.of(/^\/tmp-\d+$/);
  const c = await connect("/tmp-1");
  const child = [...(parent as unknown as { children: Set<Namespace> }).children][0]!;
  const gone = waitFor(child.sockets.values().next().value!, "disconnect");
  c.disconnect();
  await gone;
  assert.equal((parent as unknown as { children: Set<Namespace> }).children.size, 0);
  assert.notEqual(io.of("/tmp-1"), child, "a new child is created next time");
});

test("a connection middleware error reaches the client with its message and data", async (t) => {
  const { io, client } = await setup(t);
  io.use((_socket, next) => {
    const err = new Error("not authorized") as Error & { data?: unknown };
    err.data = { content: "retry later" };
    next(err);
  });
  const c = client("/");
  const [err] = await waitFor<[Error & { data?: unknown }]>(c, "connect_error");
  assert.equal(err.message, "not authorized");
  assert.deepEqual(err.data, { content: "retry later" });
  assert.equal(io.sockets.sockets.size, 0);
});

test("connection middlewares run in order and can set socket.data", async (t) => {
  const { io, connect } = await setup(t);
  io.of("/mw").use((socket, next) => {
    socket.data.step = 1;
    next();
  });
  io.of("/mw").use((socket, next) => {
    socket.data.step = (socket.data.step as number) + 1;
    next();
  });
  const connected = waitFor<[Socket]>(io.of("/mw"), "connection");
  await connect("/mw");
  const [socket] = await connected;
  assert.equal(socket.data.step, 2);
});

test("namespace names are normalised with a leading slash", async (t) => {
  const { io } = await setup(t);
  assert.equal(io.of("admin"), io.of("/admin"));
  assert.throws(() => io.of(42 as unknown as string), { code: "SKT_ERR_NAMESPACE_INVALID", name: "TypeError" });
});
