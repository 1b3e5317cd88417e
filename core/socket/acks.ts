/**
 * @module socket/acks — the acks a socket waits for: callbacks by packet id, optional timeouts,
 * and rejection of the ones expecting an error when the socket disconnects.
 */
import { createError } from "../errors.js";

/** A callback waiting for an ack. */
export type AckCallback = (...args: unknown[]) => void;

interface PendingAck {
  readonly fn: AckCallback;
  /** Set when the callback takes an error first (it came through `timeout()`). */
  readonly timer: NodeJS.Timeout | undefined;
  readonly withError: boolean;
}

/** The pending acks of one socket. */
export class AckRegistry {
  // created on the first ack: most sockets never wait for one (heap per idle connection)
  #map: Map<number, PendingAck> | undefined;

  get #pending(): Map<number, PendingAck> {
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
      this.#pending.set(id, { fn, timer: undefined, withError: false });
      return;
    }
    const timer = setTimeout(() => {
      this.#pending.delete(id);
      fn(createError("SKT_ERR_SOCKET_ACK_TIMEOUT", timeoutMs));
    }, timeoutMs);
    this.#pending.set(id, { fn, timer, withError: true });
  }

  /** Registers a broadcast's shared ack callback (it handles its own timeout). */
  addShared(id: number, fn: AckCallback): void {
    this.#pending.set(id, { fn, timer: undefined, withError: false });
  }

  /**
   * Delivers an ack.
   *
   * @param id the packet id
   * @param args the ack's arguments
   * @returns false when no ack was waiting under that id
   */
  resolve(id: number, args: unknown[]): boolean {
    const pending = this.#map?.get(id);
    if (pending === undefined) return false;
    this.#pending.delete(id);
    if (pending.timer !== undefined) {
      clearTimeout(pending.timer);
      pending.fn(null, ...args);
    } else {
      pending.fn(...args);
    }
    return true;
  }

  /** On disconnection: callbacks that take an error get SKT_ERR_SOCKET_DISCONNECTED; the rest are dropped. */
  rejectAll(): void {
    if (this.#map === undefined || this.#map.size === 0) return;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      if (p.timer === undefined) continue;
      clearTimeout(p.timer);
      if (p.withError) p.fn(createError("SKT_ERR_SOCKET_DISCONNECTED"));
    }
  }
}
