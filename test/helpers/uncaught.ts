/**
 * @module test/helpers/uncaught — captures the process's uncaught exceptions during one test,
 * for behaviours where an application's exception must surface as uncaught (as with socket.io).
 * The runner's own `uncaughtException` listeners are set aside meanwhile and put back after.
 */
import type { TestContext } from "node:test";
import { WAIT_MS } from "./wait.js";

export interface UncaughtCapture {
  /** Every exception caught so far, in order. */
  readonly errors: unknown[];
  /** Resolves with the next exception (or one already caught and not yet taken), or rejects after `ms`. */
  next(ms?: number): Promise<unknown>;
}

/** Captures `uncaughtException` until the test ends. */
export function captureUncaught(t: Pick<TestContext, "after">): UncaughtCapture {
  const saved = process.listeners("uncaughtException");
  for (const l of saved) process.off("uncaughtException", l);
  const errors: unknown[] = [];
  let taken = 0;
  let waiter: ((err: unknown) => void) | undefined;
  const onUncaught = (err: unknown): void => {
    errors.push(err);
    if (waiter !== undefined) {
      const w = waiter;
      waiter = undefined;
      taken++;
      w(err);
    }
  };
  process.on("uncaughtException", onUncaught);
  t.after(() => {
    process.off("uncaughtException", onUncaught);
    for (const l of saved) process.on("uncaughtException", l);
  });
  return {
    errors,
    next(ms = WAIT_MS) {
      if (taken < errors.length) return Promise.resolve(errors[taken++]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(new Error(`no uncaught exception within ${ms} ms`));
        }, ms);
        waiter = (err) => {
          clearTimeout(timer);
          resolve(err);
        };
      });
    },
  };
}
