/**
 * @module socket/acks — the acks a socket waits for: callbacks by packet id, optional timeouts,
 * and rejection of the ones expecting an error when the socket disconnects.
 *
 * The callbacks sit in a plain `Map<id, callback>`, the shape socket.io gives `socket.acks`:
 * third-party adapters register a broadcast's ack with `socket.acks.set(id, ack)` and our own
 * `Adapter` does the same. A callback registered with a timeout is a wrapper marked as taking an
 * error first (`withError`): an answer reaches it as `(null, ...args)`, a disconnection as `(err)`.
 */
import { createError } from "../errors.js";

/** A callback waiting for an ack. */
export type AckCallback = ((...args: unknown[]) => void) & { withError?: boolean };

/** The pending acks of one socket. */
export class AckRegistry {
  // created on the first ack: most sockets never wait for one (heap per idle connection)
  #map: Map<number, AckCallback> | undefined;

  /** The pending callbacks by packet id (socket.io's `socket.acks`). */
  get map(): Map<number, AckCallback> {
    return (this.#map ??= new Map());
  }

  /** How many acks are pending. */
  get size(): number {
    return this.#map?.size ?? 0;
  }

  /**
   * Waits for the ack `id`.
   *
   * @param id the packet id
   * @param fn called with the ack's arguments — preceded by `null` when `timeoutMs` is set
   * @param timeoutMs when set, `fn(err)` is called after this many ms without an answer
   */
  add(id: number, fn: AckCallback, timeoutMs?: number): void {
    if (timeoutMs === undefined) {
      this.map.set(id, fn);
      return;
    }
    // settles once: the wrapper may outlive the map (a session moved to another node keeps it here)
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      this.#map?.delete(id);
      fn(createError("SKT_ERR_SOCKET_ACK_TIMEOUT", timeoutMs));
    }, timeoutMs);
    const wrapper: AckCallback = (...args: unknown[]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(...args);
    };
    wrapper.withError = true;
    this.map.set(id, wrapper);
  }

  /**
   * Delivers an ack.
   *
   * @param id the packet id
   * @param args the ack's arguments
   * @returns false when no ack was waiting under that id
   */
  resolve(id: number, args: unknown[]): boolean {
    const fn = this.#map?.get(id);
    if (typeof fn !== "function") return false;
    this.#map!.delete(id);
    if (fn.withError === true) fn(null, ...args);
    else fn(...args);
    return true;
  }

  /** On disconnection: callbacks that take an error get SKT_ERR_SOCKET_DISCONNECTED; the rest are dropped. */
  rejectAll(): void {
    const map = this.#map;
    if (map === undefined || map.size === 0) return;
    const pending = [...map.values()];
    map.clear();
    for (const fn of pending) {
      if (fn.withError === true) fn(createError("SKT_ERR_SOCKET_DISCONNECTED"));
    }
  }
}
