/**
 * @module socket/socket — one client's connection to one namespace: emit/on/onAny, rooms,
 * flags and disconnection. Acks live in `acks.ts`, the handshake in `handshake.ts`, and the
 * wire I/O in the Client it belongs to.
 */
import { debuglog } from "../util/debug.js";
import type { IncomingMessage } from "node:http";
import {
  DISCONNECT_REASON,
  PACKET_TYPE,
  RECOVERABLE_DISCONNECT_REASONS,
  RESERVED_EVENTS,
  type DisconnectReason,
} from "../constants.js";
import { createError } from "../errors.js";
import type { EncodedFrame, Packet, Room, Session, SocketId, WriteOptions } from "../adapter/types.js";
import type { AdapterLike, AdapterSocket, ClientSocket, SocketHost } from "../contracts.js";
import { BroadcastOperator, broadcastSafely, runAdapterHook } from "../broadcast/broadcast-operator.js";
import { installSocketCompat } from "../compat/socket.js";
import type { SocketIoSocketMembers } from "../compat/members.js";
import type {
  AckResult,
  AllButLast,
  DecorateAcknowledgements,
  DefaultEventsMap,
  DefaultSocketData,
  EventNames,
  EventNamesWithAck,
  EventParams,
  EventsMap,
} from "../events/typed-events.js";
import {
  kExpectAcks,
  kMoveState,
  kConnectError,
  kDisconnectAll,
  kDiscard,
  kNextAckId,
  kNotifyOutgoing,
  kOnClose,
  kOnConnect,
  kOnError,
  kOnPacket,
  kRemoveFromClient,
  kRemoveSocket,
  kWriteEncoded,
  kWritePacket,
  kMetrics,
} from "../contracts.js";
import { AckRegistry, type AckCallback } from "./acks.js";
import { SocketEvents, type Event } from "./socket-events.js";
import { buildHandshake, generateSocketId, type Handshake } from "./handshake.js";
import type { HeldAck, MovedSocketState } from "./moved-state.js";
import { isV2Client, v2ConnectErrorData, v2SocketId } from "./v2-clients.js";
import type { Client } from "./client.js";

// cycle: `socket.nsp` is typed as the public Namespace (socket.io's API); the socket itself calls
// its namespace only through the SocketHost contract, and imports nothing of it at run time
import type { Namespace } from "../namespace/namespace.js";
import { withBit } from "../util/bits.js";

const debug = debuglog("socketeer:socket");

// the time sockets' creation times are counted from (see Socket#issued)
const ISSUED_BASE = Date.now();

function issuedNow(): number {
  const ms = Date.now() - ISSUED_BASE;
  return ms < 0x3fffffff ? ms | 0 : ms;
}

/** Lifecycle events of a Socket. */
export interface SocketReservedEventsMap {
  disconnect: (reason: DisconnectReason, description?: unknown) => void;
  disconnecting: (reason: DisconnectReason, description?: unknown) => void;
  error: (err: Error) => void;
}

export type { Event };


/** Per-emit flags of a socket (reset after each emit, as in socket.io). */
interface SocketFlags {
  volatile?: boolean;
  compress?: boolean;
  timeout?: number;
  local?: boolean;
}

// the bits of Socket#bits
const CLOSED = 1;
const MOVED_IN = 2;
const HANDSHAKE_BUILT = 4;
const CONNECTED = 8;
const RECOVERED = 16;

// the flags of an emit without modifiers; frozen so that nothing writes into the shared object
const NO_FLAGS: SocketFlags = Object.freeze({});

/** socket.io's members adapters and apps read (`acks`, `notifyOutgoingListeners`, `local`, `leaveAll`): core/compat/. */
export interface Socket<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = DefaultSocketData,
> extends SocketIoSocketMembers {}

/**
 * A client connected to a namespace.
 *
 * @example
 * io.on("connection", (socket) => {
 *   socket.join("room1");
 *   socket.on("hello", (name, ack) => ack(`hi ${name}`));
 *   socket.to("room1").emit("joined", socket.id);
 * });
 */
export class Socket<
    ListenEvents extends EventsMap = DefaultEventsMap,
    EmitEvents extends EventsMap = ListenEvents,
    ServerSideEvents extends EventsMap = DefaultEventsMap,
    SocketData = DefaultSocketData,
  >
  extends SocketEvents<ListenEvents, EmitEvents, SocketReservedEventsMap>
  implements AdapterSocket, ClientSocket
{
  /** The socket id (20 random characters; kept on recovery). */
  readonly id: SocketId;
  /** The namespace. */
  readonly nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The Engine.IO connection this socket runs on. */
  readonly client: Client<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;

  // The handshake is built on first read from what it needs (most apps never read it on most
  // sockets; issue 18: heap per idle connection): when it happened and the CONNECT payload. One
  // field holds the CONNECT payload until then (HANDSHAKE_BUILT clear), the handshake after.
  #handshakeOrAuth: unknown;
  // ms since ISSUED_BASE: a small integer (`| 0`) rather than a heap number per socket, for the
  // first 12 days of the process (then a heap number, as Date.now() gives)
  readonly #issued = issuedNow();
  // `data`, made on first read
  #data: SocketData | undefined;
  // what many sockets never need (recovery's pid and missed packets, acks, emit modifiers), in
  // one record made on first use: one field per socket instead of four (issue 18)
  #rare: RareSocketState | undefined;
  // CONNECTED, RECOVERED, CLOSED, MOVED_IN, HANDSHAKE_BUILT: one small integer instead of five
  // fields (issue 18)
  #bits = 0;

  // sets a field of #rare; clearing one of a record never made makes none
  #setRare<K extends keyof RareSocketState>(key: K, value: RareSocketState[K]): void {
    if (this.#rare !== undefined) this.#rare[key] = value;
    else if (value !== RARE_DEFAULTS[key]) (this.#rare = new RareSocketState())[key] = value;
  }

  // the private id of the session (connection state recovery on), kept for recovery
  get #pid(): string | undefined {
    return this.#rare?.pid;
  }

  set #pid(value: string | undefined) {
    this.#setRare("pid", value);
  }

  // made on the first ack (most sockets never wait for one)
  get #acks(): AckRegistry | undefined {
    return this.#rare?.acks;
  }

  set #acks(value: AckRegistry | undefined) {
    this.#setRare("acks", value);
  }

  // NO_FLAGS until a modifier is used: no object per socket nor per emit
  get #flags(): SocketFlags {
    return this.#rare?.flags ?? NO_FLAGS;
  }

  set #flags(value: SocketFlags) {
    this.#setRare("flags", value);
  }

  // the packets a recovered socket missed, until they are sent
  get #missed(): unknown[][] | undefined {
    return this.#rare?.missed;
  }

  set #missed(value: unknown[][] | undefined) {
    this.#setRare("missed", value);
  }

  /** Whether the socket was restored by connection state recovery. */
  get recovered(): boolean {
    return (this.#bits & RECOVERED) !== 0;
  }

  // writable in JavaScript, as socket.io's field is
  set recovered(value: boolean) {
    this.#bits = withBit(this.#bits, RECOVERED, value);
  }

  /** Whether the socket is connected to its namespace. */
  get connected(): boolean {
    return (this.#bits & CONNECTED) !== 0;
  }

  set connected(value: boolean) {
    this.#bits = withBit(this.#bits, CONNECTED, value);
  }

  // the namespace, as this class uses it (the public `nsp` itself)
  get #host(): SocketHost {
    return this.nsp;
  }

  // set once disconnected or refused: join() is a no-op from then on (socket.io's _cleanup)
  get #closed(): boolean {
    return (this.#bits & CLOSED) !== 0;
  }

  set #closed(value: boolean) {
    this.#bits = withBit(this.#bits, CLOSED, value);
  }

  // moved in from another node (no sticky sessions): the client is connected already
  get #movedIn(): boolean {
    return (this.#bits & MOVED_IN) !== 0;
  }

  /**
   * Created by the namespace for each CONNECT; not meant to be constructed by users.
   *
   * @param nsp the namespace
   * @param client the connection
   * @param auth the CONNECT payload
   * @param session a recovered session, if any
   * @param movedHandshake the handshake of a socket moved in from another node (its session too)
   */
  constructor(
    nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    client: Client<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    auth: unknown,
    session?: Session,
    movedHandshake?: Handshake,
  ) {
    super();
    this.nsp = nsp;
    this.client = client;
    if (movedHandshake !== undefined) {
      this.#bits |= MOVED_IN | HANDSHAKE_BUILT;
      this.#handshakeOrAuth = movedHandshake;
    } else {
      this.#handshakeOrAuth = auth;
    }
    const recovery = this.#host.server.recovery;
    if (session !== undefined) {
      this.id = session.sid;
      this.#pid = session.pid;
      this.#data = session.data as SocketData;
      this.#bits |= RECOVERED;
      this.#missed = session.missedPackets;
      const adapter = this.#adapter();
      runAdapterHook(adapter, () => adapter.addAll(this.id, new Set(session.rooms)));
    } else {
      this.id = isV2Client(client.conn) ? v2SocketId(nsp.name, client.conn.id) : generateSocketId();
      if (recovery !== undefined) this.#pid = generateSocketId();
    }
  }

  /** The handshake details (built on first read, then the same object). */
  get handshake(): Handshake {
    if ((this.#bits & HANDSHAKE_BUILT) === 0) {
      this.#handshakeOrAuth = buildHandshake(this.client.request, this.client.conn.remoteAddress, this.#handshakeOrAuth, ISSUED_BASE + this.#issued);
      this.#bits |= HANDSHAKE_BUILT;
    }
    return this.#handshakeOrAuth as Handshake;
  }

  /** Free-form data, shared with `fetchSockets()` (and other nodes with a cluster adapter). */
  get data(): SocketData {
    return (this.#data ??= {} as SocketData);
  }

  set data(value: SocketData) {
    this.#data = value;
  }

  #adapter(): AdapterLike {
    return this.#host.adapter;
  }

  /** The Engine.IO connection (engine socket). */
  get conn(): Client["conn"] {
    return this.client.conn;
  }

  /** The first HTTP request of the connection. */
  get request(): IncomingMessage {
    return this.client.request;
  }

  /** The rooms this socket is in (always including its own id while connected). */
  get rooms(): Set<Room> {
    return this.#adapter().socketRooms(this.id) ?? new Set();
  }

  /** Whether the socket is disconnected. */
  get disconnected(): boolean {
    return !this.connected;
  }

  // ── emitting ───────────────────────────────────────────────────────────────

  /**
   * Sends an event; a function as the last argument receives the client's answer.
   *
   * @returns true
   * @throws SKT_ERR_SOCKET_RESERVED_EVENT for a reserved event name
   * @example
   * socket.emit("hello", "world", (answer) => console.log(answer));
   */
  override emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    if (typeof ev === "string" && RESERVED_EVENTS.has(ev)) throw createError("SKT_ERR_SOCKET_RESERVED_EVENT", ev);
    const data: unknown[] = [ev, ...(args as unknown[])];
    const packet: Packet = { type: PACKET_TYPE.EVENT, nsp: this.#host.name, data };
    const flags = this.#flags;
    this.#flags = NO_FLAGS;
    const last = data[data.length - 1];
    if (typeof last === "function") {
      data.pop();
      const id = this.#host[kNextAckId]();
      (this.#acks ??= new AckRegistry()).add(id, last as AckCallback, flags.timeout);
      packet.id = id;
    }
    if (packet.id === undefined && this.#host.server.recovery !== undefined) {
      // Goes through the adapter so the packet gets an offset and is kept for replay.
      broadcastSafely(this.#adapter(), packet, { rooms: new Set([this.id]), except: new Set(), flags });
      return true;
    }
    this[kNotifyOutgoing](packet);
    this.client[kWritePacket](packet, flags);
    return true;
  }

  /**
   * Emits and resolves with the client's answer (rejects after `timeout(ms)`).
   *
   * @example
   * const answer = await socket.timeout(1_000).emitWithAck("ping");
   */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<AckResult<EmitEvents, Ev>> {
    const withError = this.#flags.timeout !== undefined;
    return new Promise((resolve, reject) => {
      const cb = (a: unknown, b: unknown): void => {
        if (!withError) return resolve(a as AckResult<EmitEvents, Ev>);
        if (a) reject(a);
        else resolve(b as AckResult<EmitEvents, Ev>);
      };
      (this.emit as (ev: string | symbol, ...a: unknown[]) => boolean)(ev, ...(args as unknown[]), cb);
    });
  }

  /** Sends a `message` event. */
  send(...args: EventParams<EmitEvents, "message">): this {
    (this.emit as (ev: string, ...a: unknown[]) => boolean)("message", ...(args as unknown[]));
    return this;
  }

  /** Same as {@link send}. */
  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  /** Targets the other sockets in `room` (not this one). */
  to(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#broadcastOperator().to(room);
  }

  /** Same as {@link to}. */
  in(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#broadcastOperator().in(room);
  }

  /** Targets every other socket except those in `room`. */
  except(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#broadcastOperator().except(room);
  }

  /** Targets every other socket of the namespace. */
  get broadcast(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#broadcastOperator();
  }

  #ownFlags(): SocketFlags {
    if (this.#flags === NO_FLAGS) this.#flags = {};
    return this.#flags;
  }

  #broadcastOperator(): BroadcastOperator<EmitEvents, SocketData> {
    const flags = this.#flags;
    this.#flags = NO_FLAGS;
    return new BroadcastOperator(this.#adapter(), new Set(), new Set([this.id]), { ...flags });
  }

  /** The next emit is dropped if the transport is not writable. */
  get volatile(): this {
    this.#ownFlags().volatile = true;
    return this;
  }

  /** Sets whether the next emit is compressed. */
  compress(compress: boolean): this {
    this.#ownFlags().compress = compress;
    return this;
  }

  /** The ack of the next emit must come within `ms`, else its callback gets an error. */
  timeout(ms: number): Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>, ServerSideEvents, SocketData> {
    this.#ownFlags().timeout = ms;
    return this as unknown as Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>, ServerSideEvents, SocketData>;
  }

  // ── rooms ──────────────────────────────────────────────────────────────────

  /**
   * Joins one or more rooms. Once the socket is disconnected (or its connection refused) this
   * does nothing, as in socket.io: a join after an `await` must not put a gone socket back in
   * the adapter's rooms.
   */
  join(rooms: Room | Room[]): Promise<void> | void {
    if (this.#closed) return;
    return this.#adapter().addAll(this.id, new Set(Array.isArray(rooms) ? rooms : [rooms]));
  }

  /** Leaves a room. */
  leave(room: Room): Promise<void> | void {
    return this.#adapter().del(this.id, room);
  }

  /**
   * Disconnects from the namespace (the client gets `io server disconnect`); with
   * `close = true`, closes the whole connection and every namespace on it.
   */
  disconnect(close = false): this {
    if (!this.connected) return this;
    if (close) {
      this.client[kDisconnectAll]();
    } else {
      this.client[kWritePacket]({ type: PACKET_TYPE.DISCONNECT, nsp: this.#host.name }, {});
      this[kOnClose](DISCONNECT_REASON.SERVER_NAMESPACE_DISCONNECT);
    }
    return this;
  }

  // ── internal (AdapterSocket, Client and Namespace seams) ───────────────────

  [kNotifyOutgoing](packet: Packet): void {
    this.notifyOutgoing(packet.data as unknown[]);
  }

  [kWriteEncoded](encoded: readonly EncodedFrame[], opts: WriteOptions): void {
    this.client[kWriteEncoded](encoded, opts);
  }

  /**
   * Completes the connection: own room, replay of missed packets, CONNECT reply. The missed
   * packets go first, as socket.io sends them: the client buffers them and delivers them just
   * before `connect`.
   */
  [kOnConnect](): void {
    this.connected = true;
    runAdapterHook(this.#adapter(), () => this.join(this.id));
    const missed = this.#missed;
    if (missed !== undefined) {
      this.#missed = undefined;
      for (const args of missed) {
        this.client[kWritePacket]({ type: PACKET_TYPE.EVENT, nsp: this.#host.name, data: args }, {});
      }
    }
    // moved in from another node: the client has been connected all along
    if (this.#movedIn) return;
    const data = this.#pid !== undefined ? { sid: this.id, pid: this.#pid } : { sid: this.id };
    if (isV2Client(this.client.conn)) this.client[kWritePacket]({ type: PACKET_TYPE.CONNECT, nsp: this.#host.name }, {});
    else this.client[kWritePacket]({ type: PACKET_TYPE.CONNECT, nsp: this.#host.name, data }, {});
  }

  /** The socket will never connect: it leaves the rooms joined meanwhile and joins no more. */
  [kDiscard](): void {
    this.#closed = true;
    this.#adapter().delAll(this.id);
  }

  /** Refuses the connection: CONNECT_ERROR with the middleware error's message and data. */
  [kConnectError](err: Error & { data?: unknown }): void {
    if (this.#movedIn) {
      // refused by a middleware after a move: the client, connected all along, is disconnected
      this.client[kWritePacket]({ type: PACKET_TYPE.DISCONNECT, nsp: this.#host.name }, {});
      return;
    }
    if (isV2Client(this.client.conn)) {
      this.client[kWritePacket]({ type: PACKET_TYPE.CONNECT_ERROR, nsp: this.#host.name, data: v2ConnectErrorData(err) }, {});
      return;
    }
    const data: { message: string; data?: unknown } = { message: err.message };
    if (err.data !== undefined) data.data = err.data;
    this.client[kWritePacket]({ type: PACKET_TYPE.CONNECT_ERROR, nsp: this.#host.name, data }, {});
  }

  /** A packet for this socket, from its Client. */
  [kOnPacket](packet: Packet): void {
    if (!this.connected) return;
    switch (packet.type) {
      case PACKET_TYPE.EVENT:
      case PACKET_TYPE.BINARY_EVENT:
        this.#onEvent(packet);
        break;
      case PACKET_TYPE.ACK:
      case PACKET_TYPE.BINARY_ACK:
        if (this.#acks?.resolve(packet.id!, (packet.data as unknown[] | undefined) ?? []) !== true && debug.enabled) {
          debug("no ack waiting under id %d", packet.id);
        }
        break;
      case PACKET_TYPE.DISCONNECT:
        this[kOnClose](DISCONNECT_REASON.CLIENT_NAMESPACE_DISCONNECT);
        break;
    }
  }

  #onEvent(packet: Packet): void {
    const args = packet.data as Event;
    if (packet.id !== undefined) args.push(this.#ackFor(packet.id));
    this.dispatchIncoming(args);
  }

  protected override get isConnected(): boolean {
    return this.connected;
  }

  #ackFor(id: number): (...args: unknown[]) => void {
    let sent = false;
    return (...args: unknown[]) => {
      if (sent) return;
      // Counted as sent once encoded: an ack refused by the encoder (a circular payload) can be called again.
      this.client[kWritePacket]({ type: PACKET_TYPE.ACK, nsp: this.#host.name, id, data: args }, {});
      sent = true;
    };
  }

  /** The connection hit an error: `error`, when someone listens (socket.io would throw without one). */
  [kOnError](err: Error): void {
    if (this.listenerCount("error") > 0) this.emitReserved("error", err);
    else if (debug.enabled) debug("connection error with no error listener on %s: %s", this.id, err.message);
  }

  /** Closes the socket: `disconnecting` (rooms still filled), cleanup, then `disconnect`. */
  [kOnClose](reason: DisconnectReason, description?: unknown): void {
    if (!this.connected) return;
    this.emitReserved("disconnecting", reason, description);
    if (this.#pid !== undefined && RECOVERABLE_DISCONNECT_REASONS.has(reason)) {
      const session = { sid: this.id, pid: this.#pid, rooms: [...this.rooms], data: this.data };
      runAdapterHook(this.#adapter(), () => this.#adapter().persistSession(session));
    }
    this.#adapter().delAll(this.id);
    this.#closed = true;
    this.#host[kRemoveSocket](this);
    this.client[kRemoveFromClient](this);
    this.connected = false;
    this.#host.server[kMetrics].countDisconnect(reason);
    this.emitReserved("disconnect", reason, description);
    this.#acks?.rejectAll();
  }

  /**
   * @internal The socket's state for a move to another node; the acks it waits for are taken
   * out (they stay on this node, answered through the cluster).
   */
  [kMoveState](): { state: MovedSocketState; acks: HeldAck[] } {
    const acks: HeldAck[] = [];
    for (const [id, fn] of this.#acks?.map ?? []) acks.push({ nsp: this.#host.name, id, fn });
    this.#acks?.map.clear();
    const state: MovedSocketState = {
      nsp: this.#host.name,
      id: this.id,
      rooms: [...this.rooms],
      data: this.data,
      handshake: this.handshake,
      acks: acks.map((a) => a.id),
    };
    if (this.#pid !== undefined) state.pid = this.#pid;
    return { state, acks };
  }

  /** @internal Acks the old node waits for (moved in): the client's answers go back there. */
  [kExpectAcks](ids: readonly number[], forward: (id: number, args: unknown[]) => void): void {
    if (ids.length === 0) return;
    const registry = (this.#acks ??= new AckRegistry());
    for (const id of ids) registry.add(id, (...args: unknown[]) => forward(id, args));
  }

  static {
    installSocketCompat(this, {
      acks: (socket) => (socket.#acks ??= new AckRegistry()).map,
      markLocal: (socket) => {
        socket.#ownFlags().local = true;
      },
    });
  }
}

/** What many sockets never need: see Socket#rare. */
class RareSocketState {
  pid: string | undefined = undefined;
  acks: AckRegistry | undefined = undefined;
  flags: SocketFlags = NO_FLAGS;
  missed: unknown[][] | undefined = undefined;
}

// the value of each field of a record not made yet
const RARE_DEFAULTS: Readonly<RareSocketState> = Object.freeze(new RareSocketState());
