/**
 * @module test/helpers/wait — wait on events with a timeout; never sleep.
 */
import type { EventEmitter } from "node:events";

/** Default time a test waits for an event before failing. */
export const WAIT_MS = 5_000;

/** Resolves with the event's arguments, or rejects after `ms` naming the event. */
export function once<T extends unknown[] = unknown[]>(
  emitter: Pick<EventEmitter, "once" | "off"> | { once(ev: string, fn: (...a: never[]) => void): unknown; off(ev: string, fn: (...a: never[]) => void): unknown },
  event: string,
  ms = WAIT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onEvent = (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    };
    const timer = setTimeout(() => {
      (emitter.off as (ev: string, fn: (...a: unknown[]) => void) => unknown)(event, onEvent);
      reject(new Error(`timed out after ${ms} ms waiting for "${event}"`));
    }, ms);
    (emitter.once as (ev: string, fn: (...a: unknown[]) => void) => unknown)(event, onEvent);
  });
}

/** A promise with its resolve/reject exposed. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects if `p` does not settle within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms = WAIT_MS, what = "operation"): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

/** Polls `predicate` on each macrotask turn until it is true, or rejects after `ms`. */
export async function until(predicate: () => boolean, ms = WAIT_MS, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}
