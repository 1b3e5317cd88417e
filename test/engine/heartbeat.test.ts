/**
 * @module test/engine/heartbeat — the shared deadline queue behind session heartbeats.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DeadlineQueue, MAX_PER_TURN } from "../../core/engine/heartbeat.js";
import { withTimeout } from "../helpers/wait.js";

test("fires deadlines in order, no earlier than the delay, skipping cancelled ones", async () => {
  const fired: string[] = [];
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const start = performance.now();
  const q = new DeadlineQueue<string>(30, (name) => {
    fired.push(name);
    assert.ok(performance.now() - start >= 29, "not before the delay");
    if (name === "c") resolve();
  });
  q.add("a");
  const b = q.add("b");
  q.add("c");
  q.cancel(b);
  q.cancel(b);
  await withTimeout(done, 5_000, "the last deadline");
  assert.deepEqual(fired, ["a", "c"]);
});

test("a deadline added from a callback is served by the same queue", async () => {
  let n = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const q: DeadlineQueue<number> = new DeadlineQueue<number>(5, (i) => {
    n++;
    if (i < 3) q.add(i + 1);
    else resolve();
  });
  q.add(1);
  await withTimeout(done, 5_000, "three rounds");
  assert.equal(n, 3);
});

test("cancelling the last live deadline releases the timer (the process can exit)", () => {
  const q = new DeadlineQueue<string>(60_000, () => assert.fail("cancelled deadline fired"));
  const d = q.add("x");
  q.cancel(d);
  // node:test would hang on a live 60 s timer: reaching the end proves it was cleared
  assert.equal(d.target, null);
});

test("a burst of due deadlines is fired in slices, with the event loop's I/O in between", async () => {
  const total = MAX_PER_TURN * 2 + 10;
  const seenByIo: number[] = [];
  let fired = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const q = new DeadlineQueue<number>(1, (i) => {
    assert.equal(i, fired, "in order");
    fired++;
    // what runs in the next check phase (I/O callbacks' turn) sees how many had fired then
    if (fired % MAX_PER_TURN === 0) setImmediate(() => seenByIo.push(fired));
    if (fired === total) resolve();
  });
  for (let i = 0; i < total; i++) q.add(i);
  await withTimeout(done, 5_000, "every deadline");
  assert.deepEqual(seenByIo, [MAX_PER_TURN, MAX_PER_TURN * 2]);
});
