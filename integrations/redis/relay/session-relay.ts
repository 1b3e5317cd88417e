/**
 * @module redis/relay/session-relay — polling without sticky sessions: a request for a session
 * of another node is relayed to its owner through Redis (`createAdapter(…, { stickySessions: false })`).
 *
 * Every session id carries its owner's tag (`<tag>.<id>`, see engine/remote-sessions.ts). A node
 * receiving a GET or POST for another node's session reads the body (up to its
 * `maxHttpBufferSize` plus one byte, so the owner still refuses an oversized body itself),
 * publishes it on the owner's channel and writes back the owner's answer. The owner hands it to its
 * engine as a local request: the session's rules (one GET and one POST at a time, the body limit,
 * heartbeats, close) apply there, unchanged. A GET parked at the owner stays parked until
 * packets are ready; when the client drops it, the receiving node tells the owner (`abort`).
 *
 * Owner gone: PUBLISH reaches nobody (its subscriber connection died with it), so the client gets
 * the ordinary unknown-session answer at once and reconnects. A GET already parked at an owner
 * that dies learns it within a second: while requests wait, each waited-on owner's channel is
 * checked once a second (PUBSUB NUMSUB, one command per owner, not per request). Redis down: the
 * same unknown-session answer.
 *
 * A WebSocket upgrade for another node's session moves the session to the node that got it (see
 * core/engine/remote-upgrade.ts): at the client's `2probe` the new node asks the owner to release
 * its pending GET and hold what is sent from then on (`p`); at `5` the owner hands over its
 * buffered packets and the Socket.IO sockets' state and forgets the session (`m`); the new node
 * restores them (`socket.recovered`). Acks the owner's sockets wait for stay there: the new node
 * forwards the client's answers (`k`); an answer that has not come after
 * {@link MOVED_ACKS_HOLD_MS} is given up (a callback with a timeout gets its timeout error as
 * always). Owner gone or Redis down: the upgrade fails, the client keeps polling (or reconnects).
 * A move step from any other node than the one that probed is dropped and counted.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { debuglog } from "../../../core/util/debug.js";
import {
  kHoldForMove,
  kMoveOut,
  kReleaseHold,
  kRemoteSessions,
  kServeRelayed,
  type HeldAck,
  type MoveOut,
  type MovedPacket,
  type MovedSession,
  type RemoteSessions,
  type SessionMove,
} from "../core.js";
import { decodeWith, encodeWith, msgpack } from "../codec.js";
import type { CommandLink, SubscriberLink } from "../redis-client.js";
import {
  asRelayMessage,
  type RelayAbort,
  type RelayAck,
  type RelayMessage,
  type RelayMoveStep,
  type RelayOutcome,
  type RelayRequest,
  type RelayResponse,
} from "./messages.js";
import { RelayedResponse, relayedRequest } from "./relayed-http.js";

const debug = debuglog("socketeer:redis");

/** Length of a node tag (6 random bytes in base64url). */
const TAG_LENGTH = 8;
/** While requests wait on owners, how often the owners' channels are checked for a listener, ms. */
const OWNER_CHECK_MS = 1_000;
/**
 * After a move, how long the old node keeps waiting for the client's answers to the acks its
 * sockets had sent (forwarded by the new node), ms. Past it the callback is dropped, like any
 * ack of a disconnected socket (one with a timeout gets its timeout error first).
 */
export const MOVED_ACKS_HOLD_MS = 60_000;
/** Cap on the acks a node keeps for sessions that moved away (beyond it, the oldest are dropped). */
export const MAX_HELD_ACKS = 100_000;

/** What the relay uses of the engine. */
export interface RelayEngine {
  readonly opts: {
    readonly maxHttpBufferSize: number;
    readonly pingInterval: number;
    readonly pingTimeout: number;
    readonly upgradeTimeout: number;
  };
  readonly clients: Readonly<Record<string, { close(): unknown }>>;
  [kRemoteSessions]: RemoteSessions | null;
  [kServeRelayed](req: IncomingMessage, res: ServerResponse): void;
  [kHoldForMove](sid: string, timeoutMs: number): boolean;
  [kReleaseHold](sid: string): void;
}

/** What the relay uses of the Socketeer server: its current engine, and the owner side of a move. */
export interface RelayServer {
  readonly engine: RelayEngine;
  [kMoveOut](sid: string): MoveOut | undefined;
}

/** Counters of the relay (read by tests and metrics). */
export interface RelayStats {
  /** Messages on this node's channel that were not relay messages, or forged move steps. */
  dropped: number;
  /** Sessions that moved in here. */
  movedIn: number;
  /** Sessions that moved out to another node. */
  movedOut: number;
}

interface Call {
  owner: string;
  timer: NodeJS.Timeout;
  settle(outcome: RelayOutcome | undefined): void;
}

interface Pending {
  res: ServerResponse;
  timer: NodeJS.Timeout;
  owner: string;
  /** Answers the unknown-session error (the owner is gone). */
  fail(): void;
}

/** One node's relay (one per server, shared by its namespaces' adapters). */
export class SessionRelay implements RemoteSessions {
  readonly tag = randomBytes(6).toString("base64url");
  #server: RelayServer;
  #pub: CommandLink;
  #sub: SubscriberLink;
  #prefix: string;
  #requestsTimeout: number;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #served = new Map<string, RelayedResponse>();
  #closed = false;
  #ownerCheck: NodeJS.Timeout | null = null;
  /** Move steps waiting for the owner's outcome. */
  #calls = new Map<number, Call>();
  /** Sessions of ours held for a move, by sid: the node that probed. */
  #held = new Map<string, { from: string; timer: NodeJS.Timeout }>();
  /** Acks of sessions that moved away, by `sid \0 nsp \0 id`. */
  #heldAcks = new Map<string, { fn: HeldAck["fn"]; timer: NodeJS.Timeout }>();
  /** Adapters using this relay: it closes with the last one. */
  #users = 0;
  readonly stats: RelayStats = { dropped: 0, movedIn: 0, movedOut: 0 };
  /** Settles once this node's channel is subscribed. */
  readonly ready: Promise<void>;

  /**
   * @param server the Socketeer server
   * @param pub the adapter's command link
   * @param sub the adapter's subscriber link
   * @param prefix channel prefix (the adapter's key)
   * @param requestsTimeout how long a relayed POST waits for the owner, ms
   */
  constructor(server: RelayServer, pub: CommandLink, sub: SubscriberLink, prefix: string, requestsTimeout: number) {
    this.#server = server;
    this.#pub = pub;
    this.#sub = sub;
    this.#prefix = prefix;
    this.#requestsTimeout = requestsTimeout;
    this.ready = sub.subscribe([this.#channel(this.tag)], (_channel, bytes) => this.#onMessage(bytes)).catch((err: unknown) => {
      debug("relay: subscribe failed: %s", err);
    });
  }

  tagId(id: string): string {
    return `${this.tag}.${id}`;
  }

  relay(sid: string, req: IncomingMessage, res: ServerResponse, unknown: () => void): boolean {
    const owner = this.#ownerOf(sid);
    if (owner === undefined) return false;
    if (req.method !== "GET" && req.method !== "POST") return false;
    this.#readBody(req, (body) => this.#send(owner, req, res, body, unknown));
    return true;
  }

  moveHere(sid: string): SessionMove | undefined {
    const owner = this.#ownerOf(sid);
    if (owner === undefined) return undefined;
    let probed = false;
    return {
      probe: async () => {
        const outcome = await this.#call(owner, "p", sid);
        if (!outcome.ok) throw new Error("the owner refused the probe");
        probed = true;
      },
      take: async () => {
        const outcome = await this.#call(owner, "m", sid);
        if (!outcome.ok || outcome.packets === undefined) throw new Error("the owner refused the move");
        this.stats.movedIn++;
        const moved: MovedSession = {
          packets: outcome.packets as MovedPacket[],
          state: outcome.state,
          forwardAck: (nsp, ack, args) => {
            const message: RelayAck = { t: "k", id: 0, from: this.tag, sid, nsp, ack, args };
            this.#publish(owner, message).catch((err: unknown) => debug("relay: ack to %s failed: %s", owner, err));
          },
        };
        return moved;
      },
      cancel: () => {
        if (!probed || this.#closed) return;
        const message: RelayMoveStep = { t: "c", id: 0, from: this.tag, sid };
        this.#publish(owner, message).catch(() => {}); // the owner's hold times out by itself
      },
    };
  }

  /** One more adapter uses this relay. */
  retain(): void {
    this.#users++;
  }

  /** An adapter closed: the relay closes with the last one. */
  async release(): Promise<void> {
    if (--this.#users <= 0) await this.close();
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops relaying: pending requests get the unknown-session answer, moves fail, held acks are dropped. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#server.engine[kRemoteSessions] === this) this.#server.engine[kRemoteSessions] = null;
    if (this.#ownerCheck !== null) clearTimeout(this.#ownerCheck);
    this.#ownerCheck = null;
    for (const call of [...this.#calls.values()]) call.settle(undefined);
    for (const [sid, h] of this.#held) {
      clearTimeout(h.timer);
      this.#server.engine[kReleaseHold](sid);
    }
    this.#held.clear();
    for (const a of this.#heldAcks.values()) clearTimeout(a.timer);
    this.#heldAcks.clear();
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      this.#pending.delete(id);
      if (!p.res.headersSent) p.res.writeHead(503).end();
    }
    for (const res of this.#served.values()) res.abort();
    this.#served.clear();
    await this.#sub.unsubscribe([this.#channel(this.tag)]).catch(() => {});
  }

  /** The owner's tag of another node's session id, or `undefined` (ours, untagged, or closed). */
  #ownerOf(sid: string): string | undefined {
    const owner = sid.length > TAG_LENGTH + 1 && sid[TAG_LENGTH] === "." ? sid.slice(0, TAG_LENGTH) : undefined;
    return owner === undefined || owner === this.tag || this.#closed ? undefined : owner;
  }

  /** Sends a move step to the owner and waits for its outcome (`requestsTimeout`). */
  #call(owner: string, t: "p" | "m", sid: string): Promise<RelayOutcome> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new Error("relay closed"));
      const id = this.#nextId++;
      const settle = (outcome: RelayOutcome | undefined): void => {
        const call = this.#calls.get(id);
        if (call === undefined) return;
        clearTimeout(call.timer);
        this.#calls.delete(id);
        if (outcome === undefined) reject(new Error(`no answer from node ${owner}`));
        else resolve(outcome);
      };
      const timer = setTimeout(() => settle(undefined), this.#requestsTimeout);
      this.#calls.set(id, { owner, timer, settle });
      const message: RelayMoveStep = { t, id, from: this.tag, sid };
      this.#publish(owner, message).then(
        (receivers) => {
          if (receivers === 0) settle(undefined); // the owner is gone
        },
        (err: unknown) => {
          debug("relay: %s to %s failed: %s", t, owner, err);
          settle(undefined);
        },
      );
    });
  }

  /** A node probes one of our sessions for a move: hold it (released after upgradeTimeout). */
  #onProbe(m: RelayMoveStep): void {
    const engine = this.#server.engine;
    const timeout = engine.opts.upgradeTimeout;
    const ok = !this.#held.has(m.sid) && engine[kHoldForMove](m.sid, timeout);
    if (ok) {
      const timer = setTimeout(() => this.#held.delete(m.sid), timeout);
      timer.unref();
      this.#held.set(m.sid, { from: m.from, timer });
    }
    const outcome: RelayOutcome = { t: "o", id: m.id, ok };
    this.#publish(m.from, outcome).then(
      (receivers) => {
        if (receivers === 0 && ok) this.#onCancel(m); // the prober is gone
      },
      () => ok && this.#onCancel(m),
    );
  }

  /** The node that probed takes the session: hand it over, keep its acks, forget it. */
  #onMove(m: RelayMoveStep): void {
    const held = this.#held.get(m.sid);
    if (held === undefined || held.from !== m.from) {
      if (held !== undefined) this.stats.dropped++; // another node than the prober: forged
      void this.#publish(m.from, { t: "o", id: m.id, ok: false } satisfies RelayOutcome).catch(() => {});
      return;
    }
    clearTimeout(held.timer);
    this.#held.delete(m.sid);
    const out = this.#server[kMoveOut](m.sid);
    if (out === undefined) {
      void this.#publish(m.from, { t: "o", id: m.id, ok: false } satisfies RelayOutcome).catch(() => {});
      return;
    }
    this.stats.movedOut++;
    for (const a of out.acks) this.#holdAck(m.sid, a);
    const outcome: RelayOutcome = { t: "o", id: m.id, ok: true, packets: out.packets, state: out.state };
    this.#publish(m.from, outcome).catch((err: unknown) => {
      // the session is gone from here and did not arrive there: the client reconnects
      debug("relay: hand-over of %s to %s failed: %s", m.sid, m.from, err);
    });
  }

  #onCancel(m: RelayMoveStep): void {
    const held = this.#held.get(m.sid);
    if (held === undefined || held.from !== m.from) {
      if (held !== undefined) this.stats.dropped++;
      return;
    }
    clearTimeout(held.timer);
    this.#held.delete(m.sid);
    this.#server.engine[kReleaseHold](m.sid);
  }

  #holdAck(sid: string, a: HeldAck): void {
    if (this.#heldAcks.size >= MAX_HELD_ACKS) {
      const [oldest] = this.#heldAcks.keys();
      if (oldest !== undefined) this.#dropAck(oldest);
    }
    const key = `${sid}\0${a.nsp}\0${a.id}`;
    const timer = setTimeout(() => this.#dropAck(key), MOVED_ACKS_HOLD_MS);
    timer.unref();
    this.#heldAcks.set(key, { fn: a.fn, timer });
  }

  #dropAck(key: string): void {
    const held = this.#heldAcks.get(key);
    if (held === undefined) return;
    clearTimeout(held.timer);
    this.#heldAcks.delete(key);
  }

  /** The client answered an ack of a session that moved away: the callback here gets it. */
  #onAck(k: RelayAck): void {
    const key = `${k.sid}\0${k.nsp}\0${k.ack}`;
    const held = this.#heldAcks.get(key);
    if (held === undefined) return;
    this.#dropAck(key);
    try {
      if (held.fn.withError === true) held.fn(null, ...k.args);
      else held.fn(...k.args);
    } catch (err) {
      // the application's callback threw: as with a local ack, it surfaces as uncaught
      process.nextTick(() => {
        throw err;
      });
    }
  }

  #channel(tag: string): string {
    return `${this.#prefix}#relay#${tag}#`;
  }

  /** Reads up to the body limit plus one byte (the owner refuses the excess itself), then the rest is dropped. */
  #readBody(req: IncomingMessage, then: (body: Buffer) => void): void {
    if (req.method === "GET") return then(Buffer.alloc(0));
    const keep = this.#server.engine.opts.maxHttpBufferSize + 1;
    if (Number(req.headers["content-length"]) >= keep) {
      req.resume();
      return then(Buffer.alloc(0));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      then(Buffer.concat(chunks, Math.min(size, keep)));
    };
    req.on("data", (chunk: Buffer) => {
      if (size >= keep) return;
      chunks.push(chunk.length + size > keep ? chunk.subarray(0, keep - size) : chunk);
      size += chunk.length;
      if (size >= keep) finish();
    });
    req.once("end", finish);
  }

  #send(owner: string, req: IncomingMessage, res: ServerResponse, body: Buffer, unknown: () => void): void {
    if (res.writableEnded || res.destroyed) return;
    const id = this.#nextId++;
    const opts = this.#server.engine.opts;
    // a GET is held by the owner until packets are ready (at most a ping interval); a POST answers at once
    const wait = req.method === "GET" ? opts.pingInterval + opts.pingTimeout + this.#requestsTimeout : this.#requestsTimeout;
    const fail = (): void => {
      const p = this.#pending.get(id);
      if (p === undefined) return;
      clearTimeout(p.timer);
      this.#pending.delete(id);
      if (!res.headersSent) unknown();
    };
    const timer = setTimeout(fail, wait);
    this.#pending.set(id, { res, timer, owner, fail });
    this.#watchOwners();
    res.once("close", () => {
      if (!this.#pending.has(id)) return;
      clearTimeout(timer);
      this.#pending.delete(id);
      // the client dropped its request: the owner sees it as a closed connection
      void this.#publish(owner, { t: "a", id, from: this.tag });
    });
    const message: RelayRequest = { t: "q", id, from: this.tag, method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body };
    this.#publish(owner, message).then(
      (receivers) => {
        // nobody listens on the owner's channel: it is gone
        if (receivers === 0) fail();
      },
      (err: unknown) => {
        debug("relay: publish to %s failed: %s", owner, err);
        fail();
      },
    );
  }

  /** Checks the owners pending requests wait on, once a second while any request waits. */
  #watchOwners(): void {
    if (this.#ownerCheck !== null || this.#closed) return;
    this.#ownerCheck = setTimeout(() => {
      this.#ownerCheck = null;
      const owners = new Set([...this.#pending.values()].map((p) => p.owner));
      for (const owner of owners) {
        this.#pub.countSubscribers(this.#channel(owner)).then(
          (n) => {
            if (n > 0) return;
            debug("relay: node %s is gone", owner);
            for (const p of [...this.#pending.values()]) if (p.owner === owner) p.fail();
          },
          () => {}, // Redis down: the requests' own timeouts answer
        );
      }
      if (this.#pending.size > 0) this.#watchOwners();
    }, OWNER_CHECK_MS);
    this.#ownerCheck.unref();
  }

  async #publish(tag: string, message: RelayMessage): Promise<number> {
    const receivers = await this.#pub.publish(this.#channel(tag), encodeWith(msgpack, message));
    return typeof receivers === "number" ? receivers : 1;
  }

  #onMessage(bytes: Buffer): void {
    let message: RelayMessage | undefined;
    try {
      message = asRelayMessage(decodeWith(msgpack, bytes));
    } catch {
      message = undefined;
    }
    if (message === undefined) {
      this.stats.dropped++;
      debug("relay: invalid message dropped (%d bytes)", bytes.length);
      return;
    }
    if (this.#closed) return;
    switch (message.t) {
      case "q":
        return this.#serve(message);
      case "r":
        return this.#answer(message);
      case "a":
        return this.#abort(message);
      case "p":
        return this.#onProbe(message);
      case "m":
        return this.#onMove(message);
      case "c":
        return this.#onCancel(message);
      case "o":
        return this.#calls.get(message.id)?.settle(message);
      case "k":
        return this.#onAck(message);
    }
  }

  /** A request for one of our sessions: our engine serves it, the answer goes back to its node. */
  #serve(q: RelayRequest): void {
    if (this.#closed) return;
    const key = `${q.from}:${q.id}`;
    const req = relayedRequest(q.method, q.url, q.headers, q.body);
    const res = new RelayedResponse((answer) => {
      this.#served.delete(key);
      const reply: RelayResponse = { t: "r", id: q.id, ...answer };
      this.#publish(q.from, reply).then(
        (receivers) => {
          // the receiving node died holding the client's request: what we sent is lost, end the session
          if (receivers === 0 && q.method === "GET") this.#closeSessionOf(q.url);
        },
        (err: unknown) => {
          debug("relay: answer to %s failed: %s", q.from, err);
          if (q.method === "GET") this.#closeSessionOf(q.url);
        },
      );
    });
    this.#served.set(key, res);
    this.#server.engine[kServeRelayed](req, res.asServerResponse());
  }

  #closeSessionOf(url: string): void {
    const sid = new URLSearchParams(url.slice(url.indexOf("?") + 1)).get("sid");
    if (sid !== null) this.#server.engine.clients[sid]?.close();
  }

  #answer(r: RelayResponse): void {
    const p = this.#pending.get(r.id);
    if (p === undefined) return;
    clearTimeout(p.timer);
    this.#pending.delete(r.id);
    if (p.res.writableEnded || p.res.destroyed) return;
    p.res.writeHead(r.status, r.headers);
    p.res.end(r.body);
  }

  #abort(a: RelayAbort): void {
    const key = `${a.from}:${a.id}`;
    const res = this.#served.get(key);
    this.#served.delete(key);
    res?.abort();
  }
}

const relays = new WeakMap<object, SessionRelay>();

/**
 * Installs the relay on a server's engine, once per server (the first adapter does it).
 *
 * @param server the namespace's server
 * @param pub the adapter's command link
 * @param sub the adapter's subscriber link
 * @param prefix the channel prefix
 * @param requestsTimeout the adapter's request timeout, ms
 * @returns the server's relay
 */
export function installRelay(server: RelayServer, pub: CommandLink, sub: SubscriberLink, prefix: string, requestsTimeout: number): SessionRelay {
  let relay = relays.get(server);
  if (relay === undefined || relay.closed) {
    relay = new SessionRelay(server, pub, sub, prefix, requestsTimeout);
    relays.set(server, relay);
  }
  relay.retain();
  server.engine[kRemoteSessions] = relay;
  return relay;
}

/**
 * The relay of a server, if it has one (for tests and metrics).
 *
 * @param server the Socketeer server
 * @returns its relay
 */
export function relayOf(server: object): SessionRelay | undefined {
  return relays.get(server);
}
