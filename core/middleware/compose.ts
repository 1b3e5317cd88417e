/**
 * @module middleware/compose — runs `use()` chains: the namespace's connection middlewares
 * `(socket, next)` and a socket's packet middlewares `(packet, next)`. Each step may call
 * `next()` once; `next(err)` stops the chain with that error. A synchronous throw does too in
 * connection middlewares; in packet middlewares it propagates (it is the application's exception).
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
 * @param throwIsRefusal whether a synchronous throw means `next(err)` (connection middlewares)
 *   or propagates to the caller (packet middlewares, as in socket.io)
 * @throws SKT_ERR_MIDDLEWARE_NEXT_TWICE (from `next`) when a middleware calls `next()` twice
 * @example
 * runMiddlewares([(s, next) => next()], socket, (err) => err ? reject(err) : accept());
 */
export function runMiddlewares<S>(
  fns: readonly Middleware<S>[],
  subject: S,
  done: (err?: Error) => void,
  throwIsRefusal = true,
): void {
  if (fns.length === 0) return done();
  // Copy: a middleware added while the chain runs applies to the next subject only.
  const chain = fns.slice();
  step(chain, 0, subject, done, throwIsRefusal);
}

function step<S>(
  chain: readonly Middleware<S>[],
  index: number,
  subject: S,
  done: (err?: Error) => void,
  throwIsRefusal: boolean,
): void {
  const fn = chain[index];
  if (fn === undefined) return done();
  let called = false;
  const next: NextFn = (err) => {
    if (called) throw createError("SKT_ERR_MIDDLEWARE_NEXT_TWICE");
    called = true;
    if (err !== undefined && err !== null) return done(err);
    step(chain, index + 1, subject, done, throwIsRefusal);
  };
  if (!throwIsRefusal) {
    fn(subject, next);
    return;
  }
  try {
    fn(subject, next);
  } catch (err) {
    // A throwing connection middleware is treated like next(err): the client gets a
    // connect_error (socket.io would let it crash the process).
    if (!called) {
      called = true;
      done(err instanceof Error ? err : new Error(String(err)));
    } else {
      throw err;
    }
  }
}
