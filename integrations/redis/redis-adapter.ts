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
import { MESSAGE_TYPE, isResponse, type NodeMessage, type WireSocket } from "./messages.js";
import { RecoveryStore, type RecoveryKeys } from "./recovery-store.js";
import type { CommandLink, SubscriberLink } from "./redis-client.js";
import { RequestTracker } from "./requests.js";
import type { Outgoing, Wire } from "./wires.js";

const debug = debuglog("socketeer:redis");

/** Tries to find a session persisted late by another node, ms apart (see recovery-store.ts). */
const RESTORE_RETRIES = [50, 100, 200] as const;
/** How long answers to a broadcast with ack but without `timeout()` are awaited from other nodes, ms. */
const ACKS_WITHOUT_TIMEOUT_MS = 60_000;

/** What an adapter is built from (createAdapter and createShardedAdapter make it). */
export interface AdapterSetup {
  readonly pub: CommandLink;
  readonly sub: SubscriberLink;
  /** The protocol of a namespace for a node uid. */
  wire(nsp: string, uid: string): Wire;
  /** The recovery keys of a namespace. */
  recoveryKeys(nsp: string): RecoveryKeys;
  readonly requestsTimeout: number;
  readonly streamMaxLen: number | undefined;
}

/**
 * The Redis adapter of one namespace on one node. Create it through `createAdapter()` or
 * `createShardedAdapter()`.
 *
 * Events: those of the in-memory adapter, plus `error` (a Redis failure or a skipped cross-node
 * operation, as a SKT_ERR_REDIS_* error; only emitted when someone listens). A message on the
 * namespace's channels that is not a valid message is dropped and counted
 * ({@link RedisAdapter.invalidMessages}); the first one is reported.
 *
 * @example
 * io.of("/").adapter.on("error", (err) => log.warn(err.code, err.message));
 */
export class RedisAdapter extends Adapter {
  /** This node's id for the namespace (unique per adapter instance). */
  readonly uid: string = randomBytes(8).toString("hex");
  /** How long requests to the other nodes wait, ms. */
  readonly requestsTimeout: number;
  /** Messages received on the namespace's channels that were not valid messages (dropped). */
  invalidMessages = 0;
  #pub: CommandLink;
  #sub: SubscriberLink;
  #wire: Wire;
  /** Room channels subscribed (sharded "dynamic" modes). */
  #roomChannels = new Map<string, string>();
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
   * @param setup the Redis links, the protocol and the resolved options
   */
  constructor(nsp: AdapterNamespace, setup: AdapterSetup) {
    super(nsp);
    this.requestsTimeout = setup.requestsTimeout;
    this.#pub = setup.pub;
    this.#sub = setup.sub;
    this.#wire = setup.wire(nsp.name, this.uid);
    const recovery = nsp.server.recovery;
    if (recovery !== undefined) {
      this.#store = new RecoveryStore(this.#pub, setup.recoveryKeys(nsp.name), this.#wire, this.uid, {
        maxDisconnectionDuration: recovery.maxDisconnectionDuration,
        streamMaxLen: setup.streamMaxLen ?? recovery.maxPersistedPackets,
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
    if (this.#ready !== undefined) return this.#ready;
    const onFrame = (channel: string, frame: Buffer): void => this.#onFrame(channel, frame);
    const subscribed = [this.#sub.subscribe([...this.#wire.channels], onFrame)];
    if (this.#wire.patterns.length > 0) subscribed.push(this.#sub.psubscribe([...this.#wire.patterns], onFrame));
    // Sharded "dynamic" modes: a node listens on a room's own channel while it has the room.
    const onCreate = (room: Room): void => {
      const channel = this.#wire.roomChannel(room, this.#isPrivate(room));
      if (channel === undefined || this.#closed) return;
      this.#roomChannels.set(room, channel);
      this.#sub.subscribe([channel], onFrame).catch((err: unknown) => this.#report(createErrorWithCause("SKT_ERR_REDIS_COMMAND_FAILED", err, "SSUBSCRIBE room")));
    };
    const onDelete = (room: Room): void => {
      const channel = this.#roomChannels.get(room);
      if (channel === undefined) return;
      this.#roomChannels.delete(room);
      this.#sub.unsubscribe([channel]).catch((err: unknown) => debug("unsubscribe failed: %s", err));
    };
    if (this.#wire.roomChannel("x", false) !== undefined || this.#wire.roomChannel("x", true) !== undefined) {
      this.on("create-room", onCreate);
      this.on("delete-room", onDelete);
      this.#detach.push(() => {
        this.off("create-room", onCreate);
        this.off("delete-room", onDelete);
      });
    }
    this.#ready = Promise.all(subscribed)
      .then(() => undefined)
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
    const channels = [...this.#wire.channels, ...this.#roomChannels.values()];
    this.#roomChannels.clear();
    const unsubscribed = [this.#sub.unsubscribe(channels)];
    if (this.#wire.patterns.length > 0) unsubscribed.push(this.#sub.punsubscribe([...this.#wire.patterns]));
    const done = Promise.all(unsubscribed).catch((err: unknown) => debug("unsubscribe failed: %s", err));
    // While Redis is away the command waits for the reconnection: closing must not.
    if (this.#sub.isReady()) await done;
  }

  /** @returns the number of nodes serving this namespace now (subscribers of its request channel), at least 1 */
  override async serverCount(): Promise<number> {
    if (this.#closed || !this.#pub.isReady()) return 1;
    try {
      return Math.max(1, await this.#pub.countSubscribers(this.#wire.countChannel));
    } catch (err) {
      this.#report(createErrorWithCause("SKT_ERR_REDIS_COMMAND_FAILED", err, "counting the nodes"));
      return 1;
    }
  }

  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    const isLocal = opts.flags?.local === true;
    const offset = this.#store !== undefined && isRecoverable(packet, opts) ? this.#store.nextOffset() : undefined;
    // Encoded before local delivery (the local encoder may rewrite binary values in place), and
    // before the offset joins the arguments: it travels beside them (see protocol-classic.ts).
    const out =
      isLocal && offset === undefined
        ? undefined
        : this.#encode({ type: MESSAGE_TYPE.BROADCAST, uid: this.uid, packet, opts: toWire(opts), ...(offset === undefined ? {} : { offset }) });
    if (offset !== undefined) (packet.data as unknown[]).push(offset);
    super.broadcast(packet, opts);
    if (out === undefined) return;
    if (offset !== undefined) {
      if (!this.#isReady("a broadcast")) return;
      this.#track(this.#store!.append(offset, out, isLocal), "XADD/PUBLISH");
      return;
    }
    this.#publish(out, "a broadcast");
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
    const out = this.#encode({ type: MESSAGE_TYPE.BROADCAST, uid: this.uid, packet: { ...packet }, opts: toWire(opts), rid });
    super.broadcastWithAck(packet, opts, clientCountCallback, ack);
    if (out === undefined || !this.#publish(out, "a broadcast with ack")) {
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

  #send(message: NodeMessage, what: string, to?: string): boolean {
    const out = this.#encode(message, to);
    return out !== undefined && this.#publish(out, what);
  }

  #encode(message: NodeMessage, to?: string): Outgoing | undefined {
    try {
      return this.#wire.encode(message, to);
    } catch (err) {
      this.#report(err);
      return undefined;
    }
  }

  #publish(out: Outgoing, what: string): boolean {
    if (this.#closed) return false;
    if (!this.#isReady(what)) return false;
    this.#pub.publish(out.channel, out.bytes).catch((err: unknown) => this.#report(createErrorWithCause("SKT_ERR_REDIS_COMMAND_FAILED", err, `PUBLISH ${what}`)));
    return true;
  }

  /** True for a socket's own room (its id). */
  #isPrivate(room: Room): boolean {
    return this.sids.has(room);
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

  /**
   * Everything that arrives on the namespace's channels. Runs inside a Redis client's callback:
   * nothing may throw out of it.
   */
  #onFrame(channel: string, frame: Buffer): void {
    if (this.#closed) return;
    let m: NodeMessage | undefined;
    try {
      m = this.#wire.decode(channel, frame, (room) => this.rooms.has(room));
    } catch (err) {
      return this.#invalid(err);
    }
    if (m === undefined || m.uid === this.uid) return;
    if (isResponse(m)) {
      this.#requests.answer(m.rid, m.uid, m.type === MESSAGE_TYPE.BROADCAST_CLIENT_COUNT || m.type === MESSAGE_TYPE.BROADCAST_ACK ? m : answerOf(m));
      return;
    }
    try {
      this.#onRequest(m);
    } catch (err) {
      this.#report(err);
    }
  }

  /** A message that is not one: counted, the first one reported, never thrown. */
  #invalid(err: unknown): void {
    this.invalidMessages++;
    if (this.invalidMessages === 1) this.#report(err);
    else debug("invalid message #%d dropped: %s", this.invalidMessages, err);
  }

  #onRequest(m: NodeMessage): void {
    const reply = (answer: NodeMessage): void => void this.#send(answer, "an answer", m.uid);
    switch (m.type) {
      case MESSAGE_TYPE.BROADCAST: {
        const opts = fromWire(m.opts);
        const packet = m.packet as Packet;
        if (m.rid === undefined) {
          // Recovery: the offset travels beside the arguments; clients get it last, as locally.
          if (m.offset !== undefined && this.#store !== undefined && Array.isArray(packet.data)) packet.data.push(m.offset);
          return super.broadcast(packet, opts);
        }
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
