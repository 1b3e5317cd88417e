/**
 * @module engine/heartbeat — one timer for many sessions: a FIFO of deadlines sharing one delay.
 *
 * Every session of an engine waits the same `pingInterval` (then the same `pingTimeout`), so the
 * deadlines of a queue come in the order they were scheduled: a linked list ordered by insertion
 * is ordered by deadline, and one `setTimeout` armed for its head serves every session. An idle
 * connection then holds a small entry instead of a `Timeout` with its arguments
 * (engine.io-protocol-v4.md § "Heartbeat" timing is unchanged: each deadline fires no earlier
 * than `delay` after it was scheduled).
 *
 * One run fires at most {@link MAX_PER_TURN} deadlines and leaves the rest to the next turn of the
 * event loop (a `setImmediate`), so that I/O runs in between: sessions opened in a burst come due
 * in a burst, and 10 000 pings written in one callback would stall the loop for tens of ms (issue
 * 18: event-loop lag of 10 000 idle connections). A deadline then fires a little late, never early.
 */
import { performance } from "node:perf_hooks";
import { DeadlineList, MAX_PER_TURN, type DeadlineEntry } from "./deadline-list.js";

export { MAX_PER_TURN };

/** A scheduled deadline; {@link DeadlineQueue.cancel} it to drop it. */
export interface Deadline<T> {
  /** The owner, or null once cancelled or fired. */
  target: T | null;
  readonly due: number;
  next: Deadline<T> | null;
}

/**
 * Deadlines with one delay, fired in order by one timer.
 *
 * @example
 * const q = new DeadlineQueue<Session>(25_000, (s) => s.ping());
 * const d = q.add(session);
 * q.cancel(d);
 */
export class DeadlineQueue<T> {
  readonly #delay: number;
  readonly #fire: (target: T) => void;
  #head: Deadline<T> | null = null;
  #tail: Deadline<T> | null = null;
  #live = 0;
  #timer: NodeJS.Timeout | null = null;
  // set while the rest of a long run waits for the next turn (instead of #timer)
  #immediate: NodeJS.Immediate | null = null;
  readonly #onTimer = (): void => this.#run();

  /**
   * @param delay milliseconds between `add` and the call
   * @param fire called with the target of each deadline that comes due
   */
  constructor(delay: number, fire: (target: T) => void) {
    this.#delay = delay;
    this.#fire = fire;
  }

  /**
   * Schedules `fire(target)` in `delay` ms.
   *
   * @param target the owner
   * @returns the deadline, to cancel it
   */
  add(target: T): Deadline<T> {
    // a whole number of ms (rounded up: never early) stays a small integer, not a heap number
    const d: Deadline<T> = { target, due: Math.ceil(performance.now() + this.#delay), next: null };
    if (this.#tail === null) this.#head = d;
    else this.#tail.next = d;
    this.#tail = d;
    this.#live++;
    if (this.#timer === null && this.#immediate === null) this.#arm(d.due);
    return d;
  }

  /**
   * Drops a deadline (no-op when already fired or cancelled). The timer stops with the last one.
   *
   * @param d the deadline returned by {@link DeadlineQueue.add}
   */
  cancel(d: Deadline<T>): void {
    if (d.target === null) return;
    d.target = null;
    if (--this.#live === 0) this.#clear();
  }

  #arm(due: number): void {
    this.#timer = setTimeout(this.#onTimer, Math.max(0, Math.ceil(due - performance.now())));
  }

  #clear(): void {
    // nothing live: release the timer and the cancelled entries
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#immediate !== null) clearImmediate(this.#immediate);
    this.#timer = null;
    this.#immediate = null;
    this.#head = this.#tail = null;
  }

  #run(): void {
    this.#timer = null;
    this.#immediate = null;
    // timers run on the loop's cached clock, which may trail performance.now() by under 1 ms
    const now = performance.now() + 1;
    let fired = 0;
    let d = this.#head;
    while (d !== null && (d.target === null || d.due <= now)) {
      const target = d.target;
      if (target !== null && fired === MAX_PER_TURN) {
        // the rest after the I/O of this turn (fire() may have armed a timer meanwhile)
        if (this.#timer !== null) clearTimeout(this.#timer);
        this.#timer = null;
        this.#immediate = setImmediate(this.#onTimer);
        return;
      }
      this.#head = d.next;
      if (this.#head === null) this.#tail = null;
      if (target !== null) {
        d.target = null;
        this.#live--;
        fired++;
        this.#fire(target);
      }
      d = this.#head;
    }
    // fire() may have added (and armed) already
    if (this.#timer === null && this.#immediate === null && this.#head !== null) this.#arm(this.#head.due);
  }
}

const queues = new WeakMap<object, { ping: DeadlineList<never>; pong: DeadlineList<never> }>();

/**
 * The shared ping and pong-timeout lists of the sessions created with one options object (the
 * sessions carry their deadlines: engine/deadline-list.ts).
 *
 * @param key the engine's resolved options (one per engine)
 * @param pingInterval delay of the ping list
 * @param pingTimeout delay of the pong-timeout list
 * @param onPing called when a session's ping is due
 * @param onPongOverdue called when a session's pong is overdue
 * @returns the two lists
 */
export function heartbeatQueues<T extends DeadlineEntry>(
  key: object,
  pingInterval: number,
  pingTimeout: number,
  onPing: (target: T) => void,
  onPongOverdue: (target: T) => void,
): { ping: DeadlineList<T>; pong: DeadlineList<T> } {
  let q = queues.get(key) as { ping: DeadlineList<T>; pong: DeadlineList<T> } | undefined;
  if (q === undefined) {
    q = { ping: new DeadlineList(pingInterval, onPing), pong: new DeadlineList(pingTimeout, onPongOverdue) };
    queues.set(key, q as unknown as { ping: DeadlineList<never>; pong: DeadlineList<never> });
  }
  return q;
}
