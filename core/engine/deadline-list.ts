/**
 * @module engine/deadline-list — the heartbeat's deadlines kept in the sessions themselves.
 *
 * One delay per list, one timer armed for the head, at most {@link MAX_PER_TURN} deadlines fired
 * per turn of the event loop (engine/heartbeat.ts). A deadline lives in three fields of its owner
 * (previous, next, due), linked into a circular list around a sentinel, not in an object made at
 * each `add` (issue 18: heap per idle connection, and no allocation per heartbeat; it replaced
 * a FIFO of deadline objects). An owner is in one list at a
 * time (a session waits either for its next ping or for the client's pong), and leaves it at once
 * when cancelled, so it can be added to another list right after.
 */
import { performance } from "node:perf_hooks";

/** The most deadlines one timer callback fires before yielding to I/O. */
export const MAX_PER_TURN = 128;

/** The previous entry of a listed owner (or the sentinel); null when not listed. */
export const kDeadlinePrev: unique symbol = Symbol("socketeer.engine.deadlinePrev");
/** The next entry of a listed owner (or the sentinel); null when not listed. */
export const kDeadlineNext: unique symbol = Symbol("socketeer.engine.deadlineNext");
/** When a listed owner comes due (`performance.now()` ms, a whole number). */
export const kDeadlineDue: unique symbol = Symbol("socketeer.engine.deadlineDue");

/** What an owner carries to be listed (its fields start as null, null, 0). */
export interface DeadlineEntry {
  [kDeadlinePrev]: DeadlineEntry | null;
  [kDeadlineNext]: DeadlineEntry | null;
  [kDeadlineDue]: number;
}

/**
 * Owners waiting out one delay, fired in order by one timer.
 *
 * @example
 * const pings = new DeadlineList<Session>(25_000, (s) => s.ping());
 * pings.add(session);
 * pings.remove(session);
 */
export class DeadlineList<T extends DeadlineEntry> {
  readonly #delay: number;
  readonly #fire: (target: T) => void;
  // the ring's anchor: its next is the earliest entry, its previous the latest
  readonly #sentinel: DeadlineEntry;
  #timer: NodeJS.Timeout | null = null;
  // set while the rest of a long run waits for the next turn (instead of #timer)
  #immediate: NodeJS.Immediate | null = null;
  readonly #onTimer = (): void => this.#run();

  /**
   * @param delay milliseconds between `add` and the call
   * @param fire called with each owner that comes due (already out of the list)
   */
  constructor(delay: number, fire: (target: T) => void) {
    this.#delay = delay;
    this.#fire = fire;
    const sentinel = { [kDeadlinePrev]: null, [kDeadlineNext]: null, [kDeadlineDue]: 0 } as DeadlineEntry;
    sentinel[kDeadlinePrev] = sentinel;
    sentinel[kDeadlineNext] = sentinel;
    this.#sentinel = sentinel;
  }

  /**
   * Lists `target` to be fired in `delay` ms (after every owner listed before it).
   *
   * @param target an owner that is in no list
   */
  add(target: T): void {
    // a whole number of ms (rounded up: never early) stays a small integer, not a heap number
    const due = Math.ceil(performance.now() + this.#delay);
    const sentinel = this.#sentinel;
    const last = sentinel[kDeadlinePrev]!;
    target[kDeadlineDue] = due;
    target[kDeadlinePrev] = last;
    target[kDeadlineNext] = sentinel;
    last[kDeadlineNext] = target;
    sentinel[kDeadlinePrev] = target;
    if (this.#timer === null && this.#immediate === null) this.#arm(due);
  }

  /**
   * Takes `target` out of this list (no-op when it is not listed). The timer stops with the last one.
   *
   * @param target an owner listed here, or in no list
   */
  remove(target: T): void {
    if (!unlink(target)) return;
    if (this.#sentinel[kDeadlineNext] === this.#sentinel) this.#clear();
  }

  #arm(due: number): void {
    this.#timer = setTimeout(this.#onTimer, Math.max(0, Math.ceil(due - performance.now())));
  }

  #clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#immediate !== null) clearImmediate(this.#immediate);
    this.#timer = null;
    this.#immediate = null;
  }

  #run(): void {
    this.#timer = null;
    this.#immediate = null;
    // timers run on the loop's cached clock, which may trail performance.now() by under 1 ms
    const now = performance.now() + 1;
    const sentinel = this.#sentinel;
    let fired = 0;
    let d = sentinel[kDeadlineNext]!;
    while (d !== sentinel && d[kDeadlineDue] <= now) {
      if (fired === MAX_PER_TURN) {
        // the rest after the I/O of this turn (fire() may have armed a timer meanwhile)
        if (this.#timer !== null) clearTimeout(this.#timer);
        this.#timer = null;
        this.#immediate = setImmediate(this.#onTimer);
        return;
      }
      unlink(d);
      fired++;
      this.#fire(d as T);
      d = sentinel[kDeadlineNext]!;
    }
    // fire() may have added (and armed) already
    if (this.#timer === null && this.#immediate === null && d !== sentinel) this.#arm(d[kDeadlineDue]);
  }
}

/** Takes an entry out of its ring; false when it was in none. */
function unlink(entry: DeadlineEntry): boolean {
  const prev = entry[kDeadlinePrev];
  const next = entry[kDeadlineNext];
  if (prev === null || next === null) return false;
  prev[kDeadlineNext] = next;
  next[kDeadlinePrev] = prev;
  entry[kDeadlinePrev] = null;
  entry[kDeadlineNext] = null;
  return true;
}
