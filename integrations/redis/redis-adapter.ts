/**
 * @module redis/redis-adapter — the adapter that makes many Socketeer nodes one server, over
 * Redis pub/sub. It extends the in-memory `Adapter` (local rooms and delivery stay there) and
 * forwards every operation to the other nodes, unless it carries the `local` flag.
 *
 * Failure model: Redis is an accelerator, never a dependency of local delivery. When it is
 * unreachable, local operations go on, cross-node sends are skipped (nothing is queued), each
 * skip or failure is reported on the adapter's `error` event, requests count only the nodes
 * Redis says are present (none while it is down), and when the clients reconnect (they resubscribe
 * by themselves) cross-node delivery resumes.
 */
import { randomBytes } from "node:crypto";
import { debuglog } from "../../core/util/debug.js";
import { channelNames, type ChannelNames } from "./channels.js";
import {
  Adapter,
  createError,
  createErrorWithCause,
  type AdapterNamespace,
  type AdapterSocket,
  type BroadcastOptions,
  type Packet,
  type PrivateSessionId,
  type Room,
  type Session,
  type SessionToPersist,
  type SocketeerError,
} from "./core.js";
import { answerOf, deliverServerSideEmit, fromWire, isRecoverable, toWire, type RemoteSocketDetails } from "./convert.js";
import { MESSAGE_TYPE, decodeMessage, encodeMessage, isResponse, type NodeMessage, type WireSocket } from "./messages.js";
import type { ResolvedRedisAdapterOptions } from "./options.js";
import { RecoveryStore } from "./recovery-store.js";
import { commandLink, numsubCount, subscriberLink, type CommandLink, type SubscriberLink } from "./redis-client.js";
import { RequestTracker } from "./requests.js";

const debug = debuglog("socketeer:redis");

/** Tries to find a session persisted late by another node, ms apart (see recovery-store.ts). */
const RESTORE_RETRIES = [50, 100, 200] as const;
/** How long answers to a broadcast with ack but without `timeout()` are awaited from other nodes, ms. */
const ACKS_WITHOUT_TIMEOUT_MS = 60_000;

/**
 * The Redis adapter of one namespace on one node. Create it through `createAdapter()`.
 *
 * Events: those of the in-memory adapter, plus `error` (a Redis failure or a skipped cross-node
 * operation, as a SKT_ERR_REDIS_* error; only emitted when someone listens).
 *
 * @example
 * io.of("/").adapter.on("error", (err) => log.warn(err.code, err.message));
 */
export class RedisAdapter extends Adapter {
  /** This node's id for the namespace (unique per adapter instance). */
  readonly uid: string = randomBytes(8).toString("base64url");
  /** How long requests to the other nodes wait, ms. */
  readonly requestsTimeout: number;
  #pub: CommandLink;
  #sub: SubscriberLink;
  #names: ChannelNames;
  #requests = new RequestTracker();
  #store: RecoveryStore | undefined;
  #detach: (() => void)[] = [];
  #ready: Promise<void> | undefined;
  #closed = false;
  /** Recovery writes not yet acknowledged by Redis: close() lets them land. */
  #writes = new Set<Promise<void>>();
  #outage = false;
  #connectionErrorReported = false;

  /**
   * @param nsp the namespace
   * @param pubClient client for commands and PUBLISH
   * @param subClient client in subscriber mode (one per node)
   * @param opts resolved options
   * @throws SKT_ERR_REDIS_UNSUPPORTED_CLIENT when a client is neither ioredis nor node-redis
   */
  constructor(nsp: AdapterNamespace, pubClient: unknown, subClient: unknown, opts: ResolvedRedisAdapterOptions) {
    super(nsp);
    this.requestsTimeout = opts.requestsTimeout;
    this.#pub = commandLink(pubClient, "pubClient");
    this.#sub = subscriberLink(subClient, "subClient");
    this.#names = channelNames(opts.key, nsp.name, this.uid);
    const recovery = nsp.server.recovery;
    if (recovery !== undefined) {
      this.#store = new RecoveryStore(this.#pub, this.#names, this.uid, {
        maxDisconnectionDuration: recovery.maxDisconnectionDuration,
        streamMaxLen: opts.streamMaxLen ?? recovery.maxPersistedPackets,
        restoreRetries: RESTORE_RETRIES,
      });
    }
    // A client retrying its connection errs at every attempt: one report until it is ready again.
    const onClientError = (err: unknown): void => {
      if (this.#connectionErrorReported) return;
      this.#connectionErrorReported = true;
      this.#report(createErrorWithCause("SKT_ERR_REDIS_COMMAND_FAILED", err, "connection error"));
    };
    this.#detach.push(this.#pub.onError(onClientError), this.#sub.onError(onClientError));
  }

  /** Subscribes to the namespace's channels. Idempotent; never rejects (failures are reported). */
  override init(): Promise<void> {
    this.#ready ??= this.#sub
      .subscribe([this.#names.broadcast, this.#names.request, this.#names.response], (channel, frame) => this.#onFrame(channel, frame))
      .catch((err: unknown) => this.#report(createErrorWithCause("SKT_ERR_REDIS_COMMAND_FAILED", err, "SUBSCRIBE")));
    return this.#ready;
  }

  /** Unsubscribes, settles pending requests and stops listening to the clients. */
  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#requests.close();
    // Sessions persisted by the server's own shutdown are in flight: let them land (bounded).
    if (this.#writes.size > 0 && this.#pub.isReady()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(this.#writes),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, this.requestsTimeout))),
      ]);
      clearTimeout(timer);
    }
    for (const off of this.#detach) off();
    const done = this.#sub
      .unsubscribe([this.#names.broadcast, this.#names.request, this.#names.response])
      .catch((err: unknown) => debug("unsubscribe failed: %s", err));
    // While Redis is away the command waits for the reconnection: closing must not.
    if (this.#sub.isReady()) await done;
  }

  /** @returns the number of nodes serving this namespace now (subscribers of its request channel), at least 1 */
  override async serverCount(): Promise<number> {
    if (this.#closed || !this.#pub.isReady()) return 1;
    try {
      return Math.max(1, numsubCount(await this.#pub.command(["PUBSUB", "NUMSUB", this.#names.request])));
    } catch (err) {
      this.#report(createErrorWithCause("SKT_ERR_REDIS_COMMAND_FAILED", err, "PUBSUB NUMSUB"));
      return 1;
    }
  }

  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    const isLocal = opts.flags?.local === true;
    const offset = this.#store !== undefined && isRecoverable(packet, opts) ? this.#store.nextOffset() : undefined;
    if (offset !== undefined) (packet.data as unknown[]).push(offset);
    // Encoded before local delivery: the local encoder may rewrite binary values in place.
    const frame = isLocal && offset === undefined ? undefined : this.#encode({ type: MESSAGE_TYPE.BROADCAST, uid: this.uid, packet, opts: toWire(opts) });
    super.broadcast(packet, opts);
    if (frame === undefined) return;
    if (offset !== undefined) {
      if (!this.#isReady("a broadcast")) return;
      this.#track(this.#store!.append(offset, frame, isLocal), "XADD/PUBLISH");
      return;
    }
    this.#publish(this.#names.broadcast, frame, "a broadcast");
  }

  override broadcastWithAck(
    packet: Packet,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void {
    if (opts.flags?.local === true) return super.broadcastWithAck(packet, opts, clientCountCallback, ack);
    // Without timeout() socket.io waits for every ack forever; answers from other nodes are
    // awaited for a bounded time instead, so an unanswered broadcast cannot pin memory.
    const lifetime = opts.flags?.timeout ?? Math.max(this.requestsTimeout, ACKS_WITHOUT_TIMEOUT_MS);
    const rid = this.#requests.listen(lifetime, (_from, answer) => {
      const m = answer as NodeMessage;
      if (m.type === MESSAGE_TYPE.BROADCAST_CLIENT_COUNT) clientCountCallback(m.count);
      else if (m.type === MESSAGE_TYPE.BROADCAST_ACK) ack(...m.args);
    });
    const frame = this.#encode({ type: MESSAGE_TYPE.BROADCAST, uid: this.uid, packet: { ...packet }, opts: toWire(opts), rid });
    super.broadcastWithAck(packet, opts, clientCountCallback, ack);
    if (frame === undefined || !this.#publish(this.#names.broadcast, frame, "a broadcast with ack")) {
      this.#requests.fail(rid, createError("SKT_ERR_REDIS_NOT_READY", "a broadcast with ack"));
    }
  }

  /**
   * @returns the matching sockets of every node: local sockets, then descriptions of remote
   *   ones ({@link RemoteSocketDetails}), which the server wraps as RemoteSockets
   */
  override async fetchSockets(opts: BroadcastOptions): Promise<(AdapterSocket | RemoteSocketDetails)[]> {
    const local = await super.fetchSockets(opts);
    if (opts.flags?.local === true) return local;
    const remote = await this.#request<WireSocket[]>("fetchSockets", (rid) => ({ type: MESSAGE_TYPE.FETCH_SOCKETS, uid: this.uid, rid, opts: toWire(opts) }));
    const all = local;
    for (const list of remote) {
      for (const s of list) all.push({ id: s.id, handshake: s.handshake, rooms: new Set(s.rooms), data: s.data });
    }
    return all;
  }

  override addSockets(opts: BroadcastOptions, rooms: Room[]): void {
    super.addSockets(opts, rooms);
    if (opts.flags?.local !== true) this.#send({ type: MESSAGE_TYPE.SOCKETS_JOIN, uid: this.uid, opts: toWire(opts), rooms }, "socketsJoin");
  }

  override delSockets(opts: BroadcastOptions, rooms: Room[]): void {
    super.delSockets(opts, rooms);
    if (opts.flags?.local !== true) this.#send({ type: MESSAGE_TYPE.SOCKETS_LEAVE, uid: this.uid, opts: toWire(opts), rooms }, "socketsLeave");
  }

  override disconnectSockets(opts: BroadcastOptions, close: boolean): void {
    super.disconnectSockets(opts, close);
    if (opts.flags?.local !== true) this.#send({ type: MESSAGE_TYPE.DISCONNECT_SOCKETS, uid: this.uid, opts: toWire(opts), close }, "disconnectSockets");
  }

  /**
   * Emits an event on the namespace of every other node. When the last element is a function
   * it receives `(err, responses)`: one response per node, or a SKT_ERR_ADAPTER_REQUEST_TIMEOUT
   * error (with the responses received) after `requestsTimeout`.
   */
  override serverSideEmit(packet: unknown[]): void {
    const last = packet[packet.length - 1];
    if (typeof last !== "function") {
      this.#send({ type: MESSAGE_TYPE.SERVER_SIDE_EMIT, uid: this.uid, data: packet }, "serverSideEmit");
      return;
    }
    const ack = last as (err: SocketeerError | null, responses: unknown[]) => void;
    const data = packet.slice(0, -1);
    this.#request<unknown>("serverSideEmit", (rid) => ({ type: MESSAGE_TYPE.SERVER_SIDE_EMIT, uid: this.uid, rid, data }), true).then(
      (responses) => ack(null, responses),
      (err: SocketeerError & { responses?: unknown[] }) => ack(err, err.responses ?? []),
    );
  }

  /** @returns every room of every node serving the namespace */
  async allRooms(): Promise<Set<Room>> {
    const rooms = new Set(this.rooms.keys());
    const remote = await this.#request<string[]>("allRooms", (rid) => ({ type: MESSAGE_TYPE.ALL_ROOMS, uid: this.uid, rid }));
    for (const list of remote) for (const r of list) rooms.add(r);
    return rooms;
  }

  override persistSession(session: SessionToPersist): void | Promise<void> {
    if (this.#store === undefined) return;
    if (!this.#isReady("a session")) return;
    return this.#track(this.#store.persist(session), "SET session");
  }

  override async restoreSession(pid: PrivateSessionId, offset: string): Promise<Session | null> {
    if (this.#store === undefined || !this.#pub.isReady()) return null;
    try {
      return (await this.#store.restore(pid, offset)) ?? null;
    } catch (err) {
      this.#report(createErrorWithCause("SKT_ERR_REDIS_COMMAND_FAILED", err, "restore session"));
      return null;
    }
  }

  /**
   * Sends a request to the other nodes and collects one answer per node present.
   * With `keepPartial`, a timeout rejects with an error carrying the answers received (`responses`).
   */
  async #request<R>(what: string, build: (rid: string) => NodeMessage, keepPartial = false): Promise<R[]> {
    const expected = (await this.serverCount()) - 1;
    return new Promise<R[]>((resolve, reject) => {
      const rid = this.#requests.expect<R>(what, expected, this.requestsTimeout, (err, responses) => {
        if (err === null) return resolve(responses);
        if (keepPartial) Object.defineProperty(err, "responses", { value: responses });
        reject(err);
      });
      if (expected > 0 && !this.#send(build(rid), what)) {
        this.#requests.fail(rid, createError("SKT_ERR_REDIS_NOT_READY", what));
      }
    });
  }

  /** Follows a recovery write until Redis acknowledges it; failures are reported. */
  #track(write: Promise<void>, what: string): Promise<void> {
    const settled = write.catch((err: unknown) => this.#report(createErrorWithCause("SKT_ERR_REDIS_COMMAND_FAILED", err, what)));
    this.#writes.add(settled);
    void settled.then(() => this.#writes.delete(settled));
    return settled;
  }

  #send(message: NodeMessage, what: string): boolean {
    const frame = this.#encode(message);
    return frame !== undefined && this.#publish(this.#names.request, frame, what);
  }

  #encode(message: NodeMessage): Buffer | undefined {
    try {
      return encodeMessage(message);
    } catch (err) {
      this.#report(err);
      return undefined;
    }
  }

  #publish(channel: string, frame: Buffer, what: string): boolean {
    if (this.#closed) return false;
    if (!this.#isReady(what)) return false;
    this.#pub.command(["PUBLISH", channel, frame]).catch((err: unknown) => this.#report(createErrorWithCause("SKT_ERR_REDIS_COMMAND_FAILED", err, `PUBLISH ${what}`)));
    return true;
  }

  /**
   * True when Redis takes commands now. The first operation skipped in an outage is reported
   * (one error per outage, not one per broadcast); the next ready check re-arms the report.
   */
  #isReady(what: string): boolean {
    if (this.#pub.isReady()) {
      this.#outage = false;
      this.#connectionErrorReported = false;
      return true;
    }
    if (!this.#outage) {
      this.#outage = true;
      this.#report(createError("SKT_ERR_REDIS_NOT_READY", what));
    }
    return false;
  }

  #report(err: unknown): void {
    debug("%s", err);
    // An EventEmitter throws on an unheard 'error': report only to those who listen.
    if (this.listenerCount("error") > 0) this.emit("error", err);
  }

  #onFrame(channel: string, frame: Buffer): void {
    if (this.#closed) return;
    let m: NodeMessage;
    try {
      m = decodeMessage(frame);
    } catch (err) {
      return this.#report(err);
    }
    if (m.uid === this.uid) return;
    if (channel === this.#names.response) {
      if (isResponse(m)) this.#requests.answer(m.rid, m.uid, m.type === MESSAGE_TYPE.BROADCAST_CLIENT_COUNT || m.type === MESSAGE_TYPE.BROADCAST_ACK ? m : answerOf(m));
      return;
    }
    try {
      this.#onRequest(m);
    } catch (err) {
      this.#report(err);
    }
  }

  #onRequest(m: NodeMessage): void {
    const reply = (answer: NodeMessage): void => {
      const frame = this.#encode(answer);
      if (frame !== undefined) this.#publish(this.#names.responseOf(m.uid), frame, "an answer");
    };
    switch (m.type) {
      case MESSAGE_TYPE.BROADCAST: {
        const opts = fromWire(m.opts);
        const packet = m.packet as Packet;
        if (m.rid === undefined) return super.broadcast(packet, opts);
        const rid = m.rid;
        return super.broadcastWithAck(
          packet,
          opts,
          (count) => reply({ type: MESSAGE_TYPE.BROADCAST_CLIENT_COUNT, uid: this.uid, rid, count }),
          (...args) => reply({ type: MESSAGE_TYPE.BROADCAST_ACK, uid: this.uid, rid, args }),
        );
      }
      case MESSAGE_TYPE.SOCKETS_JOIN:
        return super.addSockets(fromWire(m.opts), m.rooms);
      case MESSAGE_TYPE.SOCKETS_LEAVE:
        return super.delSockets(fromWire(m.opts), m.rooms);
      case MESSAGE_TYPE.DISCONNECT_SOCKETS:
        return super.disconnectSockets(fromWire(m.opts), m.close);
      case MESSAGE_TYPE.FETCH_SOCKETS: {
        const rid = m.rid;
        void super.fetchSockets(fromWire(m.opts)).then((sockets) =>
          reply({
            type: MESSAGE_TYPE.FETCH_SOCKETS_RESPONSE,
            uid: this.uid,
            rid,
            sockets: sockets.map((s) => ({ id: s.id, handshake: s.handshake, rooms: [...s.rooms], data: s.data })),
          }),
        );
        return;
      }
      case MESSAGE_TYPE.SERVER_SIDE_EMIT: {
        const rid = m.rid;
        const args: unknown[] = [...m.data];
        if (rid !== undefined) {
          let answered = false;
          args.push((arg: unknown) => {
            if (answered) return;
            answered = true;
            reply({ type: MESSAGE_TYPE.SERVER_SIDE_EMIT_RESPONSE, uid: this.uid, rid, arg });
          });
        }
        return deliverServerSideEmit(this.nsp, args);
      }
      case MESSAGE_TYPE.ALL_ROOMS:
        return reply({ type: MESSAGE_TYPE.ALL_ROOMS_RESPONSE, uid: this.uid, rid: m.rid, rooms: [...this.rooms.keys()] });
      default:
        return;
    }
  }
}
