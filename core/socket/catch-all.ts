/**
 * @module socket/catch-all — the `onAny`/`onAnyOutgoing` listener lists of a socket. Notifying
 * is free when the list is empty, so sockets without catch-all listeners pay nothing per packet.
 */

/** A catch-all listener: the event name, then its arguments. */
// any: listeners of arbitrary events take arbitrary arguments, as in socket.io's typings.
export type AnyListener = (event: string, ...args: any[]) => void;

// shared by every list that never had a listener (heap per idle connection); never mutated
const NONE: AnyListener[] = [];

/** An ordered list of catch-all listeners. */
export class CatchAllListeners {
  #list: AnyListener[] = NONE;

  /** Whether there is no listener. */
  get isEmpty(): boolean {
    return this.#list.length === 0;
  }

  /** Adds a listener at the end. */
  add(fn: AnyListener): void {
    if (this.#list === NONE) this.#list = [fn];
    else this.#list.push(fn);
  }

  /** Adds a listener at the front. */
  prepend(fn: AnyListener): void {
    if (this.#list === NONE) this.#list = [fn];
    else this.#list.unshift(fn);
  }

  /** Removes one listener, or all of them. */
  remove(fn?: AnyListener): void {
    this.#list = fn === undefined ? NONE : this.#list.filter((l) => l !== fn);
  }

  /** @returns a copy of the listeners */
  list(): AnyListener[] {
    return this.#list.slice();
  }

  /**
   * Calls every listener with `args` (`[event, ...args]`).
   *
   * @param self the `this` of the calls (the socket)
   * @param args the event name and its arguments
   */
  notify(self: unknown, args: readonly unknown[]): void {
    if (this.#list.length === 0) return;
    for (const fn of this.#list.slice()) fn.apply(self, args as [string, ...unknown[]]);
  }
}
