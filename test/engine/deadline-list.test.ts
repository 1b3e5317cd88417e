/**
 * @module test/engine/deadline-list — the heartbeat's deadlines kept in the sessions themselves.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DeadlineList, MAX_PER_TURN, kDeadlineDue, kDeadlineNext, kDeadlinePrev, type DeadlineEntry } from "../../core/engine/deadline-list.js";
import { withTimeout } from "../helpers/wait.js";

class Owner implements DeadlineEntry {
  [kDeadlinePrev]: DeadlineEntry | null = null;
  [kDeadlineNext]: DeadlineEntry | null = null;
  [kDeadlineDue] = 0;
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

test("fires owners in order, no earlier than the delay, skipping removed ones", async () => {
  const fired: string[] = [];
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const start = performance.now();
  const list = new DeadlineList<Owner>(30, (o) => {
    fired.push(o.name);
    assert.ok(performance.now() - start >= 29, "not before the delay");
    assert.equal(o[kDeadlineNext], null, "out of the list when fired");
    if (o.name === "c") resolve();
  });
  const [a, b, c] = [new Owner("a"), new Owner("b"), new Owner("c")];
  list.add(a);
  list.add(b);
  list.add(c);
  list.remove(b);
  list.remove(b);
  await withTimeout(done, 5_000, "the last deadline");
  assert.deepEqual(fired, ["a", "c"]);
});

test("an owner removed from one list can join another at once; an owner re-added from its callback is served again", async () => {
  const fired: string[] = [];
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const slow = new DeadlineList<Owner>(60_000, () => assert.fail("removed owner fired"));
  let rounds = 0;
  const fast: DeadlineList<Owner> = new DeadlineList<Owner>(5, (o) => {
    fired.push(o.name);
    if (++rounds < 3) fast.add(o);
    else resolve();
  });
  const x = new Owner("x");
  slow.add(x);
  slow.remove(x);
  fast.add(x);
  await withTimeout(done, 5_000, "three rounds");
  assert.deepEqual(fired, ["x", "x", "x"]);
});

test("removing the last owner releases the timer (the process can exit)", () => {
  const list = new DeadlineList<Owner>(60_000, () => assert.fail("removed owner fired"));
  const o = new Owner("o");
  list.add(o);
  list.remove(o);
  // node:test would hang on a live 60 s timer: reaching the end proves it was cleared
  assert.equal(o[kDeadlinePrev], null);
});

test("a burst of due owners is fired in slices, with the event loop's I/O in between", async () => {
  const total = MAX_PER_TURN * 2 + 10;
  const seenByIo: number[] = [];
  let fired = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const list = new DeadlineList<Owner>(1, (o) => {
    assert.equal(o.name, String(fired), "in order");
    fired++;
    if (fired % MAX_PER_TURN === 0) setImmediate(() => seenByIo.push(fired));
    if (fired === total) resolve();
  });
  for (let i = 0; i < total; i++) list.add(new Owner(String(i)));
  await withTimeout(done, 5_000, "every deadline");
  assert.deepEqual(seenByIo, [MAX_PER_TURN, MAX_PER_TURN * 2]);
});
