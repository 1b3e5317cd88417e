/**
 * @module engine/heartbeat — one timer for many sessions: the ping and pong-timeout lists of an
 * engine (engine/deadline-list.ts).
 *
 * Every session of an engine waits the same `pingInterval` (then the same `pingTimeout`), so the
 * deadlines of a list come in the order they were scheduled: a list ordered by insertion is
 * ordered by deadline, and one `setTimeout` armed for its head serves every session. An idle
 * connection then holds no `Timeout` and no entry object: the session is the entry
 * (engine.io-protocol-v4.md § "Heartbeat" timing is unchanged: each deadline fires no earlier
 * than `delay` after it was scheduled).
 *
 * One run fires at most `MAX_PER_TURN` (128) deadlines and leaves the rest to the next turn of the
 * event loop (a `setImmediate`), so that I/O runs in between: sessions opened in a burst come due
 * in a burst, and 10 000 pings written in one callback would stall the loop for tens of ms (issue
 * 18: event-loop lag of 10 000 idle connections). A deadline then fires a little late, never early.
 */
import { DeadlineList, type DeadlineEntry } from "./deadline-list.js";

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
