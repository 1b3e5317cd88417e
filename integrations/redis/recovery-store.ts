/**
 * @module redis/recovery-store — connection state recovery kept in Redis, so a client may come
 * back on any node.
 *
 * - Every recoverable broadcast (an event without ack, not volatile) gets an offset chosen by the
 *   node that sends it, before local delivery, so local delivery never waits for Redis. The
 *   message, as published, is appended to a Redis Stream (`<key>-stream#<nsp>#`, a key no
 *   socket.io node reads) and published to the other nodes by one Lua script, so the stream order
 *   is the order in which every node receives broadcasts.
 *   The stream is capped (`XADD MAXLEN ~ streamMaxLen`) and expires when idle.
 * - A disconnected socket's session (id, private id, rooms, data) is stored under
 *   `<key>-session#<nsp>#<pid>` with a TTL of `maxDisconnectionDuration`.
 * - Restoring takes the session (GET + DEL atomically), finds the client's last offset in the
 *   stream, and returns the packets after it that were meant for the socket's rooms. An offset
 *   no longer in the stream (trimmed, or never stored because Redis was down) means the gap is
 *   unknown: no recovery, the client gets a fresh session.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { CommandLink } from "./redis-client.js";
import { decodeFrame, encodeFrame } from "./wire.js";
import type { Outgoing, Wire } from "./wires.js";

/** Where a namespace's recovery data lives. */
export interface RecoveryKeys {
  /** The stream of recoverable broadcasts. */
  readonly stream: string;
  /** The key of a persisted session. */
  session(pid: string): string;
  /** The command the append script publishes with ("PUBLISH", or "SPUBLISH" on a cluster). */
  readonly publish: "PUBLISH" | "SPUBLISH";
}
/** A session as the server persists it on disconnect. */
export interface StoredSession {
  sid: string;
  pid: string;
  rooms: string[];
  data: unknown;
}

/** A restored session: the stored one plus the `data` arrays of the packets it missed, in order. */
export interface RestoredSession extends StoredSession {
  missedPackets: unknown[][];
}

/** How the store is tuned. */
export interface RecoveryStoreOptions {
  /** The recovery window, ms. */
  readonly maxDisconnectionDuration: number;
  /** Cap on the stream's length (approximate, as `XADD MAXLEN ~`). */
  readonly streamMaxLen: number;
  /** Tries to find a session not yet persisted by the node that lost the client, ms apart. */
  readonly restoreRetries: readonly number[];
}

/**
 * Clocks of the nodes may differ from one another: an offset stamped at `t` by one node is looked
 * for in the stream from `t - CLOCK_SLACK_MS` on.
 */
const CLOCK_SLACK_MS = 10_000;
const PAGE = 500;
const OFFSET_RE = /^([0-9a-z]{1,11})\.[A-Za-z0-9_-]{1,16}\.[0-9a-z]{1,11}$/;

// KEYS[1] stream; ARGV: maxlen, offset, base64 message, ttl ms, channel ('' = none), frame, origin, command.
const APPEND_AND_PUBLISH = `
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'o', ARGV[2], 'm', ARGV[3], 'n', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if ARGV[5] ~= '' then return redis.call(ARGV[8], ARGV[5], ARGV[6]) end
return 0`;

const TAKE = `local v = redis.call('GET', KEYS[1]) if v then redis.call('DEL', KEYS[1]) end return v`;

type StreamEntry = [id: string, fields: string[]];

function field(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function intersects(a: readonly string[], b: ReadonlySet<string>): boolean {
  return a.some((x) => b.has(x));
}

/** Sessions and recoverable packets of one namespace, in Redis. */
export class RecoveryStore {
  #link: CommandLink;
  #keys: RecoveryKeys;
  #wire: Wire;
  #opts: RecoveryStoreOptions;
  #node: string;
  #prefix = randomBytes(6).toString("base64url");
  #seq = 0;

  /**
   * @param link the command connection
   * @param keys the namespace's stream and session keys
   * @param wire the protocol (reads stored broadcasts back)
   * @param node this node's uid (local-only broadcasts reach only sessions that were on it)
   * @param opts window, stream cap and restore retries
   */
  constructor(link: CommandLink, keys: RecoveryKeys, wire: Wire, node: string, opts: RecoveryStoreOptions) {
    this.#link = link;
    this.#keys = keys;
    this.#wire = wire;
    this.#node = node;
    this.#opts = opts;
  }

  /** A fresh offset: time-stamped (to find it in the stream fast) and unique across nodes. */
  nextOffset(): string {
    this.#seq = (this.#seq + 1) % Number.MAX_SAFE_INTEGER;
    return `${Date.now().toString(36)}.${this.#prefix}.${this.#seq.toString(36)}`;
  }

  /**
   * Appends a broadcast to the stream and, unless local, publishes it, atomically.
   *
   * @param offset the offset the packet carries
   * @param out the encoded broadcast message and its channel
   * @param isLocal true for a `local` broadcast: recorded, not published
   * @returns resolves when Redis has both
   */
  async append(offset: string, out: Outgoing, isLocal: boolean): Promise<void> {
    const ttl = Math.max(1, this.#opts.maxDisconnectionDuration * 2);
    await this.#link.command([
      "EVAL",
      APPEND_AND_PUBLISH,
      "1",
      this.#keys.stream,
      String(this.#opts.streamMaxLen),
      offset,
      out.bytes.toString("base64"),
      String(ttl),
      isLocal ? "" : out.channel,
      out.bytes,
      isLocal ? this.#node : "",
      this.#keys.publish,
    ]);
  }

  /**
   * Stores a disconnected socket's session for the recovery window.
   *
   * @param session what the server hands to `persistSession`
   */
  async persist(session: StoredSession): Promise<void> {
    const value = encodeFrame({ ...session, node: this.#node }).toString("base64");
    const ttl = Math.max(1, this.#opts.maxDisconnectionDuration);
    await this.#link.command(["SET", this.#keys.session(session.pid), value, "PX", String(ttl)]);
  }

  /**
   * Takes a session and the packets it missed after `offset`.
   *
   * @param pid the private session id the client presents
   * @param offset the last offset the client received
   * @returns the session, or undefined when there is nothing to recover
   */
  async restore(pid: string, offset: string): Promise<RestoredSession | undefined> {
    const stamp = OFFSET_RE.exec(offset);
    if (stamp === null || pid.length === 0 || pid.length > 64) return undefined;
    const raw = await this.#take(pid);
    if (raw === undefined) return undefined;
    const session = this.#parseSession(raw);
    if (session === undefined) return undefined;
    const missed = await this.#missedAfter(offset, parseInt(stamp[1]!, 36), session);
    return missed === undefined ? undefined : { sid: session.sid, pid: session.pid, rooms: session.rooms, data: session.data, missedPackets: missed };
  }

  async #take(pid: string): Promise<string | undefined> {
    // The node that lost the client persists the session when it notices the closed
    // transport; a client quick to reconnect elsewhere may be faster. Look again a few times.
    for (let attempt = 0; ; attempt++) {
      const reply = await this.#link.command(["EVAL", TAKE, "1", this.#keys.session(pid)]);
      if (typeof reply === "string") return reply;
      const wait = this.#opts.restoreRetries[attempt];
      if (wait === undefined) return undefined;
      await delay(wait, undefined, { ref: false });
    }
  }

  #parseSession(raw: string): (StoredSession & { node: string }) | undefined {
    try {
      const v = decodeFrame(Buffer.from(raw, "base64")) as Record<string, unknown>;
      const rooms = v.rooms;
      if (typeof v.sid !== "string" || typeof v.pid !== "string" || !Array.isArray(rooms)) return undefined;
      if (!rooms.every((r): r is string => typeof r === "string")) return undefined;
      return { sid: v.sid, pid: v.pid, rooms, data: v.data, node: typeof v.node === "string" ? v.node : "" };
    } catch {
      return undefined;
    }
  }

  async #missedAfter(offset: string, stampedAt: number, session: { rooms: string[]; node: string }): Promise<unknown[][] | undefined> {
    const rooms = new Set(session.rooms);
    const missed: unknown[][] = [];
    let found = false;
    let start = `${Math.max(0, stampedAt - CLOCK_SLACK_MS)}-0`;
    // At most the whole (capped) stream is read, one page at a time.
    for (let read = 0; read <= this.#opts.streamMaxLen + PAGE; read += PAGE) {
      const page = (await this.#link.command(["XRANGE", this.#keys.stream, start, "+", "COUNT", String(PAGE)])) as StreamEntry[] | null;
      if (!Array.isArray(page) || page.length === 0) break;
      for (const [, fields] of page) {
        if (!found) {
          found = field(fields, "o") === offset;
          continue;
        }
        const packet = this.#decodeEntry(fields, rooms, session.node);
        if (packet !== undefined) missed.push(packet);
      }
      const last = page[page.length - 1]![0];
      if (!found && Number(last.split("-")[0]) > stampedAt + CLOCK_SLACK_MS) break;
      if (page.length < PAGE) break;
      start = `(${last}`;
    }
    return found ? missed : undefined;
  }

  #decodeEntry(fields: readonly string[], rooms: ReadonlySet<string>, node: string): unknown[] | undefined {
    const origin = field(fields, "n");
    // A local-only broadcast reached only the sockets of its node.
    if (origin !== undefined && origin !== "" && origin !== node) return undefined;
    const stored = this.#wire.readStored(Buffer.from(field(fields, "m") ?? "", "base64"));
    if (stored === undefined) return undefined;
    if (stored.rooms.length > 0 && !intersects(stored.rooms, rooms)) return undefined;
    if (intersects(stored.except, rooms)) return undefined;
    return stored.data;
  }
}
