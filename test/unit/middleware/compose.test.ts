/**
 * @module test/unit/middleware — the use() chain runner.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runMiddlewares, type Middleware } from "../../../core/middleware/compose.js";

test("runs every middleware in order then calls done without error", () => {
  const seen: number[] = [];
  const fns: Middleware<string>[] = [(_, next) => (seen.push(1), next()), (_, next) => (seen.push(2), next())];
  let result: unknown = "not called";
  runMiddlewares(fns, "s", (err) => (result = err));
  assert.deepEqual(seen, [1, 2]);
  assert.equal(result, undefined);
});

test("stops at next(err) and a synchronous throw", () => {
  const boom = new Error("boom");
  let result: unknown;
  let ranSecond = false;
  runMiddlewares<string>([(_, next) => next(boom), () => (ranSecond = true)], "s", (err) => (result = err));
  assert.equal(result, boom);
  assert.equal(ranSecond, false);
  runMiddlewares<string>([() => { throw boom; }], "s", (err) => (result = err));
  assert.equal(result, boom);
});

test("continues asynchronously and rejects a second next()", async () => {
  let second: unknown;
  const done = new Promise<unknown>((resolve) => {
    runMiddlewares<string>(
      [
        (_, next) => {
          setImmediate(() => {
            next();
            try { next(); } catch (err) { second = err; }
          });
        },
      ],
      "s",
      resolve,
    );
  });
  assert.equal(await done, undefined);
  assert.equal((second as { code?: string }).code, "SKT_ERR_MIDDLEWARE_NEXT_TWICE");
});

test("with throwIsRefusal false (packet middlewares), a synchronous throw propagates and done is not called", () => {
  const boom = new Error("boom");
  let called = false;
  assert.throws(
    () =>
      runMiddlewares<string>([() => { throw boom; }], "s", () => (called = true), false),
    (err) => err === boom,
  );
  assert.equal(called, false);
});
