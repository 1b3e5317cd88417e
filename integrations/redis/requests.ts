/**
 * @module redis/requests — requests to other nodes awaiting their answers, each under a timeout.
 *
 * A request knows how many nodes are expected to answer (the nodes present when it was sent) and
 * settles once, either when every one of them answered or when `timeout` ms passed, with a
 * SKT_ERR_ADAPTER_REQUEST_TIMEOUT error saying how many answered. A node's answer counts once
 * even if it arrives twice. Answers for unknown or settled requests are dropped. Nothing stays
 * behind: every entry is removed when it settles, and `close()` settles the rest.
 *
 * Broadcasts with acks are open-ended (each remote client answers separately), so they use
 * {@link RequestTracker.listen}: a handler that receives every answer until its lifetime ends.
 */
import { randomBytes } from "node:crypto";
import { createError, type SocketeerError } from "./core.js";

/** Called once when a request settles: `err` is null when every expected node answered. */
export type SettleFn<R> = (err: SocketeerError | null, responses: R[]) => void;

interface Pending {
  readonly what: string;
  readonly expected: number;
  readonly timeout: number;
  readonly from: Set<string>;
  readonly responses: unknown[];
  readonly settle: SettleFn<unknown>;
  readonly timer: NodeJS.Timeout;
}

interface Listener {
  readonly onAnswer: (from: string, value: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/** Pending requests of one adapter. */
export class RequestTracker {
  #pending = new Map<string, Pending>();
  #listeners = new Map<string, Listener>();
  #prefix = randomBytes(6).toString("base64url");
  #seq = 0;
  #closed = false;

  /** A fresh request id, unique across nodes. */
  nextId(): string {
    this.#seq = (this.#seq + 1) % Number.MAX_SAFE_INTEGER;
    return `${this.#prefix}.${this.#seq.toString(36)}`;
  }

  /**
   * Starts waiting for `expected` answers.
   *
   * @param what the operation, for the timeout message (`"fetchSockets"`)
   * @param expected how many nodes must answer; 0 settles at once (on the next microtask)
   * @param timeout ms before the request settles with SKT_ERR_ADAPTER_REQUEST_TIMEOUT
   * @param settle called exactly once with the answers received
   * @returns the request id to put in the message
   * @example
   * const rid = tracker.expect("fetchSockets", 2, 5000, (err, answers) => { … });
   */
  expect<R>(what: string, expected: number, timeout: number, settle: SettleFn<R>): string {
    const rid = this.nextId();
    if (expected <= 0 || this.#closed) {
      queueMicrotask(() => settle(null, []));
      return rid;
    }
    const timer = setTimeout(() => this.#timeOut(rid), timeout);
    timer.unref?.();
    this.#pending.set(rid, {
      what,
      expected,
      timeout,
      from: new Set(),
      responses: [],
      settle: settle as SettleFn<unknown>,
      timer,
    });
    return rid;
  }

  /**
   * Routes every answer to `onAnswer` for `lifetime` ms (open-ended requests: broadcast acks).
   *
   * @param lifetime ms after which further answers are dropped
   * @param onAnswer receives the sender's uid and the answer
   * @returns the request id to put in the message
   */
  listen(lifetime: number, onAnswer: (from: string, value: unknown) => void): string {
    const rid = this.nextId();
    if (this.#closed) return rid;
    const timer = setTimeout(() => this.#listeners.delete(rid), lifetime);
    timer.unref?.();
    this.#listeners.set(rid, { onAnswer, timer });
    return rid;
  }

  /**
   * Delivers one node's answer.
   *
   * @param rid the request id the answer carries
   * @param from the answering node's uid
   * @param value the answer
   * @returns true when a pending request or listener took it
   */
  answer(rid: string, from: string, value: unknown): boolean {
    const listener = this.#listeners.get(rid);
    if (listener !== undefined) {
      listener.onAnswer(from, value);
      return true;
    }
    const p = this.#pending.get(rid);
    if (p === undefined || p.from.has(from)) return false;
    p.from.add(from);
    p.responses.push(value);
    if (p.from.size >= p.expected) this.#finish(rid, p, null);
    return true;
  }

  /**
   * Settles a request now with an error (e.g. when the request could not be sent).
   *
   * @param rid the request id
   * @param err the error handed to the settle callback
   */
  fail(rid: string, err: SocketeerError): void {
    const p = this.#pending.get(rid);
    if (p !== undefined) this.#finish(rid, p, err);
    const l = this.#listeners.get(rid);
    if (l !== undefined) {
      clearTimeout(l.timer);
      this.#listeners.delete(rid);
    }
  }

  /** Number of requests and listeners still waiting (bounded by their timeouts). */
  get size(): number {
    return this.#pending.size + this.#listeners.size;
  }

  /** Settles every pending request with a timeout error and drops every listener. */
  close(): void {
    this.#closed = true;
    for (const [rid, p] of this.#pending) {
      this.#finish(rid, p, createError("SKT_ERR_ADAPTER_REQUEST_TIMEOUT", p.what, p.timeout, p.from.size, p.expected));
    }
    for (const l of this.#listeners.values()) clearTimeout(l.timer);
    this.#listeners.clear();
  }

  #timeOut(rid: string): void {
    const p = this.#pending.get(rid);
    if (p === undefined) return;
    this.#finish(rid, p, createError("SKT_ERR_ADAPTER_REQUEST_TIMEOUT", p.what, p.timeout, p.from.size, p.expected));
  }

  #finish(rid: string, p: Pending, err: SocketeerError | null): void {
    clearTimeout(p.timer);
    this.#pending.delete(rid);
    p.settle(err, p.responses);
  }
}
