/**
 * @module test/helpers/wait — wait on events with a timeout; never sleep.
 */
import type { EventEmitter } from "node:events";

/** Default time a test waits for an event before failing. */
export const WAIT_MS = 5_000;

/** Anything with `once`/`off`: Node emitters, engine.io-client and socket.io-client sockets. */
export interface OnceTarget {
  once: (...args: never[]) => unknown;
  off: (...args: never[]) => unknown;
}

/** Resolves with the event's arguments, or rejects after `ms` naming the event. */
export function once<T extends unknown[] = unknown[]>(emitter: OnceTarget, event: string, ms = WAIT_MS): Promise<T> {
  type Listen = (ev: string, fn: (...a: unknown[]) => void) => unknown;
  const on = (emitter.once as unknown as Listen).bind(emitter);
  const off = (emitter.off as unknown as Listen).bind(emitter);
  return new Promise<T>((resolve, reject) => {
    const onEvent = (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    };
    const timer = setTimeout(() => {
      off(event, onEvent);
      reject(new Error(`timed out after ${ms} ms waiting for "${event}"`));
    }, ms);
    on(event, onEvent);
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
