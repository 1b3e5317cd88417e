/**
 * @module middleware/compose — runs `use()` chains: the namespace's connection middlewares
 * `(socket, next)` and a socket's packet middlewares `(packet, next)`. Each step may call
 * `next()` once; `next(err)` (or a synchronous throw) stops the chain with that error.
 */
import { createError } from "../errors.js";

/** The `next` callback given to a middleware. */
export type NextFn = (err?: Error) => void;
/** A middleware taking one subject (a socket or a packet) and `next`. */
export type Middleware<S> = (subject: S, next: NextFn) => void;

/**
 * Runs `fns` in order on `subject`, then calls `done()` — or `done(err)` at the first error.
 * `done` is called exactly once. With no middleware, `done()` is called synchronously.
 *
 * @param fns the middlewares
 * @param subject what each middleware receives
 * @param done the continuation
 * @throws SKT_ERR_MIDDLEWARE_NEXT_TWICE (from `next`) when a middleware calls `next()` twice
 * @example
 * runMiddlewares([(s, next) => next()], socket, (err) => err ? reject(err) : accept());
 */
export function runMiddlewares<S>(fns: readonly Middleware<S>[], subject: S, done: (err?: Error) => void): void {
  if (fns.length === 0) return done();
  // Copy: a middleware added while the chain runs applies to the next subject only.
  const chain = fns.slice();
  step(chain, 0, subject, done);
}

function step<S>(chain: readonly Middleware<S>[], index: number, subject: S, done: (err?: Error) => void): void {
  const fn = chain[index];
  if (fn === undefined) return done();
  let called = false;
  const next: NextFn = (err) => {
    if (called) throw createError("SKT_ERR_MIDDLEWARE_NEXT_TWICE");
    called = true;
    if (err !== undefined && err !== null) return done(err);
    step(chain, index + 1, subject, done);
  };
  try {
    fn(subject, next);
  } catch (err) {
    // A throwing middleware is treated like next(err) (socket.io would let it crash the process).
    if (!called) {
      called = true;
      done(err instanceof Error ? err : new Error(String(err)));
    } else {
      throw err;
    }
  }
}
