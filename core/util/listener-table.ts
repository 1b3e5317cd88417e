/**
 * @module util/listener-table — a smaller listener table for the EventEmitters made per
 * connection (issue 18: heap per idle connection).
 *
 * Node's EventEmitter keeps its listeners in an object with a null prototype, which V8 holds
 * in dictionary mode: about 160–200 bytes for two to six event names. An object whose
 * prototype is an empty frozen object with a null prototype behaves the same for the emitter
 * (no inherited names: `toString`, `__proto__` and the like are ordinary event names, and
 * `eventNames()` reads own keys) but stays in fast mode, with the names in a shape shared by
 * every connection. Measured on Node 20: 257 → 129 bytes for an emitter with two listeners,
 * 545 → 169 with six.
 */
import type { EventEmitter } from "node:events";

const NO_NAMES: object = Object.freeze(Object.create(null) as object);

interface EmitterInternals {
  _events?: object;
  _eventsCount?: number;
}

/**
 * Gives a freshly constructed emitter the compact table; an emitter that already has
 * listeners is left alone. Call it right after `super()`.
 */
export function compactListenerTable(emitter: EventEmitter): void {
  const e = emitter as unknown as EmitterInternals;
  if (e._eventsCount === 0) e._events = Object.create(NO_NAMES) as object;
}

/**
 * An empty record without inherited names (like `Object.create(null)`) that V8 keeps in fast
 * mode: for per-connection records read by name, e.g. the handshake's `query`. Its prototype is
 * a frozen empty object with a null prototype, so no key resolves to an inherited value.
 */
export function nameTable<T>(): Record<string, T> {
  return Object.create(NO_NAMES) as Record<string, T>;
}

/** An emitter's listeners by event name (`undefined` for a name nobody listens to). */
export type ListenerTable = Readonly<Record<string, unknown>>;

const NO_LISTENERS: ListenerTable = NO_NAMES as ListenerTable;

/**
 * The emitter's own listener table, for hot paths that ask per packet whether anyone listens:
 * `listenerTable(e).name !== undefined` is `e.listenerCount("name") > 0` without the call, and
 * its constant-name load stays monomorphic at each place it is written (a `listenerCount` shared
 * by every kind of emitter does not). Node keeps the table in `_events` (removeListener deletes
 * a name once its last listener is gone; removeAllListeners replaces the table).
 */
export function listenerTable(emitter: EventEmitter): ListenerTable {
  // an emitter of a class that went through deferListenerTable has none until its first listener
  return (emitter as unknown as { _events: ListenerTable | undefined })._events ?? NO_LISTENERS;
}

type AddListener = (this: EventEmitter, event: string | symbol, listener: (...args: never[]) => void) => EventEmitter;

/**
 * For emitters most of which never get a listener (an engine session whose only reader is the
 * Socket.IO layer): the table is made, compact, by the first `on` / `addListener` /
 * `prependListener` (`once` and `prependOnceListener` go through them) instead of at
 * construction. Node's EventEmitter reads an absent table as an empty one everywhere
 * (`emit`, `listenerCount`, `listeners`, `eventNames`, `off`, `removeAllListeners`).
 *
 * @param proto the prototype of the emitter class (its instances call {@link noListenerTable})
 */
export function deferListenerTable(proto: EventEmitter): void {
  for (const name of ["addListener", "on", "prependListener"] as const) {
    const add = proto[name] as unknown as AddListener;
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value: function addWithTable(this: EventEmitter, event: string | symbol, listener: (...args: never[]) => void): EventEmitter {
        const e = this as unknown as EmitterInternals;
        if (e._events === undefined) {
          e._events = Object.create(NO_NAMES) as object;
          e._eventsCount = 0;
        }
        return add.call(this, event, listener);
      },
    });
  }
}

/**
 * Drops the empty table of a freshly constructed emitter whose class went through
 * {@link deferListenerTable}. Call it right after `super()`.
 */
export function noListenerTable(emitter: EventEmitter): void {
  const e = emitter as unknown as EmitterInternals;
  if (e._eventsCount === 0) e._events = undefined;
}
