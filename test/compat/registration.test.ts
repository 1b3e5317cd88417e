/**
 * @module test/compat/registration — registration points check their arguments at the call, with a
 * registered TypeError code, instead of letting every later client fail with
 * `connect_error: fn is not a function` (socket.io accepts them silently; we follow Fastify here).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../core/index.js";
import { isSocketeerError } from "../../core/index.js";
import { setup, waitFor } from "./support.js";

/** Asserts `fn` throws a TypeError with `code`, whose stack starts in socketeer's frame for the call. */
function throwsArg(fn: () => unknown, code = "SKT_ERR_INVALID_ARG"): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TypeError, `a TypeError (${String(err)})`);
    assert.ok(isSocketeerError(err), `a registered code (${String(err)})`);
    assert.equal((err as { code: string }).code, code);
    return true;
  });
}

const NOT_FUNCTIONS: unknown[] = ["x", 42, null, {}, undefined];

test("io.use(), nsp.use() and io.engine.use() refuse what is not a function, and the server keeps working", async (t) => {
  const { io, connect } = await setup(t);
  for (const bad of NOT_FUNCTIONS) {
    throwsArg(() => io.use(bad as never));
    throwsArg(() => io.of("/admin").use(bad as never));
    throwsArg(() => io.engine.use(bad as never));
  }
  // nothing was registered: a client still connects to both namespaces
  await connect("/");
  await connect("/admin");
});

test("socket.use(), onAny() and their kin refuse what is not a function", async (t) => {
  const { io, connect } = await setup(t);
  const connection = waitFor<[Socket]>(io, "connection");
  const client = await connect("/");
  const [socket] = await connection;
  for (const bad of NOT_FUNCTIONS) {
    throwsArg(() => socket.use(bad as never));
    throwsArg(() => socket.onAny(bad as never));
    throwsArg(() => socket.prependAny(bad as never));
    throwsArg(() => socket.onAnyOutgoing(bad as never));
    throwsArg(() => socket.prependAnyOutgoing(bad as never));
  }
  // the socket still delivers events: nothing broken was registered
  const got = waitFor<[string]>(socket, "ping-me");
  client.emit("ping-me", "yes");
  assert.deepEqual(await got, ["yes"]);
});

test("io.of() refuses a name of the wrong type and a listener that is not a function", async (t) => {
  const { io } = await setup(t);
  throwsArg(() => io.of(42 as never), "SKT_ERR_NAMESPACE_INVALID");
  throwsArg(() => io.of(null as never), "SKT_ERR_NAMESPACE_INVALID");
  throwsArg(() => io.of("/x", "not a function" as never));
  throwsArg(() => io.of(/^\/y$/, 1 as never));
});

test("io.adapter() refuses what is neither an adapter class nor a factory, and keeps the adapter it had", async (t) => {
  const { io, connect } = await setup(t);
  const before = io.adapter();
  for (const bad of ["redis", 42, null, {}]) throwsArg(() => io.adapter(bad as never));
  assert.equal(io.adapter(), before);
  await connect("/");
});

test("on() and once() refuse a listener that is not a function at the call (node's own TypeError)", async (t) => {
  const { io } = await setup(t);
  for (const register of [() => io.on("connection", "x" as never), () => io.of("/a").once("connection", 1 as never)]) {
    assert.throws(register, { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" });
  }
});

test("the error's stack starts at the registration call, not inside the error factory", async (t) => {
  const { io } = await setup(t);
  let err: Error | undefined;
  try {
    io.use("x" as never);
  } catch (e) {
    err = e as Error;
  }
  assert.ok(err?.stack !== undefined);
  const frames = err.stack.split("\n").filter((l) => l.trimStart().startsWith("at "));
  assert.doesNotMatch(frames[0] ?? "", /errors\.ts/, "the first frame is not in core/errors.ts");
  assert.match(frames[0] ?? "", /namespace\.ts/, "the first frame is Namespace.use()");
  assert.ok(frames.some((f) => f.includes("registration.test.ts")), "the caller is on the stack");
});
