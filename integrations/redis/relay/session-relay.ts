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
 * WebSocket upgrades are not relayed: an upgrade for another node's session gets the
 * unknown-session refusal, and the client keeps polling (through the relay).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { debuglog } from "../../../core/util/debug.js";
import { kRemoteSessions, kServeRelayed, type RemoteSessions } from "../core.js";
import { decodeWith, encodeWith, msgpack } from "../codec.js";
import type { CommandLink, SubscriberLink } from "../redis-client.js";
import { asRelayMessage, type RelayAbort, type RelayMessage, type RelayRequest, type RelayResponse } from "./messages.js";
import { RelayedResponse, relayedRequest } from "./relayed-http.js";

const debug = debuglog("socketeer:redis");

/** Length of a node tag (6 random bytes in base64url). */
const TAG_LENGTH = 8;
/** While requests wait on owners, how often the owners' channels are checked for a listener, ms. */
const OWNER_CHECK_MS = 1_000;

/** What the relay uses of the engine. */
export interface RelayEngine {
  readonly opts: { readonly maxHttpBufferSize: number; readonly pingInterval: number; readonly pingTimeout: number };
  readonly clients: Readonly<Record<string, { close(): unknown }>>;
  [kRemoteSessions]: RemoteSessions | null;
  [kServeRelayed](req: IncomingMessage, res: ServerResponse): void;
}

/** What the relay uses of the Socketeer server: its current engine. */
export interface RelayServer {
  readonly engine: RelayEngine;
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
    const owner = sid.length > TAG_LENGTH + 1 && sid[TAG_LENGTH] === "." ? sid.slice(0, TAG_LENGTH) : undefined;
    if (owner === undefined || owner === this.tag || this.#closed) return false;
    if (req.method !== "GET" && req.method !== "POST") return false;
    this.#readBody(req, (body) => this.#send(owner, req, res, body, unknown));
    return true;
  }

  /** Stops relaying: pending requests get the unknown-session answer. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownerCheck !== null) clearTimeout(this.#ownerCheck);
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      this.#pending.delete(id);
      if (!p.res.headersSent) p.res.writeHead(503).end();
    }
    for (const res of this.#served.values()) res.abort();
    this.#served.clear();
    await this.#sub.unsubscribe([this.#channel(this.tag)]).catch(() => {});
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
      debug("relay: invalid message dropped (%d bytes)", bytes.length);
      return;
    }
    if (message.t === "q") this.#serve(message);
    else if (message.t === "r") this.#answer(message);
    else this.#abort(message);
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
  if (relay === undefined) {
    relay = new SessionRelay(server, pub, sub, prefix, requestsTimeout);
    relays.set(server, relay);
  }
  server.engine[kRemoteSessions] = relay;
  return relay;
}
