/**
 * @module engine/socket — one Engine.IO session: readyState, bounded write buffer, heartbeat, upgrade, close.
 *
 * The session owns exactly one current transport. Outbound packets go through a
 * {@link BoundedQueue} (caps `maxBufferedPackets` / `maxBufferedBytes`) and are flushed whenever
 * the transport is writable. Overflow policy: a `volatile` packet is dropped; any other packet
 * closes the session with reason `"transport error"` and a SKT_ERR_ENGINE_BUFFER_FULL description.
 */
import { deferListenerTable, listenerTable, noListenerTable } from "../util/listener-table.js";
import { keptRequest } from "./handshake-request.js";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { debuglog } from "../util/debug.js";
import { createError, type SocketeerError } from "../errors.js";
import { packetByteLength, toBuffer, type EnginePacket, type EnginePacketType } from "../parser/engine-packet.js";
import { BoundedQueue } from "../util/bounded-queue.js";
import { ENGINE_PROTOCOL, type CloseReason } from "./constants.js";
import type { ResolvedEngineOptions } from "./options.js";
import type { OutboundPacket, SendOptions, SessionHandle, Transport } from "./transport.js";
import { heartbeatQueues } from "./heartbeat.js";
import { kDeadlineDue, kDeadlineNext, kDeadlinePrev, type DeadlineEntry, type DeadlineList } from "./deadline-list.js";
import { v3PingTimeoutQueue } from "./heartbeat-v3.js";
import { UpgradeProbe } from "./upgrade.js";
import { kAdopt, kConsumeClose, kConsumeMessage, kConsumer, kForceClose, kHandOver, kHold, kOfferUpgrade, kReceive, kRegisterOwner, kSessionClosed, kSetConsumer, kUnhold } from "./contracts.js";
import type { MovedPacket } from "./remote-sessions.js";
import { withBit } from "../util/bits.js";

const debug = debuglog("socketeer:engine");

/** Session states, as engine.io names them. */
export type ReadyState = "opening" | "open" | "closing" | "closed";

/** What registers a session (the engine Server): told when it closes, before its listeners. */
export interface SessionOwner {
  [kSessionClosed](session: Socket): void;
}

/** What consumes a session's messages (the Socket.IO Client): called before the listeners. */
export interface SessionConsumer {
  [kConsumeMessage](data: string | Buffer): void;
  [kConsumeClose](reason: CloseReason, description?: Error): void;
}

// the bits of Socket#bits: the ready state (an index in READY_STATES), flags, the list waited in
const READY_STATES: readonly ReadyState[] = ["opening", "open", "closing", "closed"];
const STATE_MASK = 3;
const UPGRADED = 4;
const UPGRADING = 8;
const CLOSE_AFTER_FLUSH = 16;
const WAIT_PING = 32;
const WAIT_PONG = 64;
const WAIT_MASK = WAIT_PING | WAIT_PONG;

/**
 * What the sessions of one engine and protocol version share: options, heartbeat lists, the
 * protocol version and, once registered, the engine that lists them (issue 18: fields shared
 * rather than held per session).
 */
interface SessionContext {
  readonly opts: ResolvedEngineOptions;
  readonly ping: DeadlineList<Socket>;
  readonly pong: DeadlineList<Socket>;
  readonly protocol: 3 | 4;
  readonly owner: SessionOwner | null;
  // the contexts of the same options and version with an owner (see kRegisterOwner)
  readonly owned: WeakMap<SessionOwner, SessionContext>;
}

/** The data a message may carry. */
export type MessageData = string | Buffer | ArrayBuffer | ArrayBufferView;

interface Queued {
  readonly packet: OutboundPacket;
  readonly cb: (() => void) | undefined;
}

/** The session events and their arguments. */
export interface EngineSocketEvents {
  open: [];
  message: [data: string | Buffer];
  data: [data: string | Buffer];
  packet: [packet: EnginePacket];
  packetCreate: [packet: OutboundPacket];
  drain: [];
  flush: [packets: OutboundPacket[]];
  heartbeat: [];
  upgrading: [transport: Transport];
  upgrade: [transport: Transport];
  close: [reason: CloseReason, description?: Error];
}

/**
 * One Engine.IO session (engine.io's `Socket`).
 *
 * @example
 * engine.on("connection", (socket) => {
 *   socket.on("message", (data) => socket.send(data));
 *   socket.on("close", (reason) => console.log(socket.id, reason));
 * });
 */
export class Socket extends EventEmitter<EngineSocketEvents> implements SessionHandle, DeadlineEntry {
  /** The session id (`sid`). */
  readonly id: string;
  /**
   * The handshake request: its headers, url, method and socket, and what middlewares attached
   * (see engine/handshake-request.ts: a slim copy when nothing was attached).
   */
  readonly request: IncomingMessage;
  /** The peer address of the handshake request. */
  readonly remoteAddress: string;
  /** The current transport. */
  transport: Transport;
  // the ready state (STATE_MASK), UPGRADED, UPGRADING, CLOSE_AFTER_FLUSH and the heartbeat list
  // waited in (WAIT_MASK): one small integer instead of six fields (issue 18)
  #bits = 0;

  // the engine's options and heartbeat lists, shared by its sessions of one protocol version
  // (one timer per list instead of one per session)
  #ctx: SessionContext;
  // made when a first packet has to wait: a WebSocket session writes straight to its transport
  // and most never queue anything (issue 18: heap per idle connection)
  #buffer: BoundedQueue<Queued> | undefined;
  /** @internal Its place in the heartbeat list it waits in (engine/deadline-list.ts): no object per deadline. */
  [kDeadlinePrev]: DeadlineEntry | null = null;
  /** @internal */
  [kDeadlineNext]: DeadlineEntry | null = null;
  /** @internal */
  [kDeadlineDue] = 0;
  // the upgrade under way, if any: the probe of a WebSocket here, or the timer of a move to
  // another node (no sticky sessions, engine/remote-sessions.ts); never both (see #probe, #moveHold)
  #pendingUpgrade: UpgradeProbe | NodeJS.Timeout | null = null;
  #consumer: SessionConsumer | null = null;

  /** The Engine.IO protocol version: 4, or 3 for a socket.io v2 client (`allowEIO3`). */
  get protocol(): 3 | 4 {
    return this.#ctx.protocol;
  }

  /** `opening`, `open`, `closing` or `closed`. */
  get readyState(): ReadyState {
    return READY_STATES[this.#bits & STATE_MASK]!;
  }

  set readyState(value: ReadyState) {
    const code = READY_STATES.indexOf(value);
    this.#bits = (this.#bits & ~STATE_MASK) | (code < 0 ? 0 : code);
  }

  // the heartbeat list this session waits in (ping due, or pong overdue), null when in none
  get #waitingIn(): DeadlineList<Socket> | null {
    const wait = this.#bits & WAIT_MASK;
    return wait === WAIT_PING ? this.#ctx.ping : wait === WAIT_PONG ? this.#ctx.pong : null;
  }

  set #waitingIn(list: DeadlineList<Socket> | null) {
    const wait = list === null ? 0 : list === this.#ctx.ping ? WAIT_PING : WAIT_PONG;
    this.#bits = (this.#bits & ~WAIT_MASK) | wait;
  }

  /** True once upgraded to WebSocket. */
  get upgraded(): boolean {
    return (this.#bits & UPGRADED) !== 0;
  }

  set upgraded(value: boolean) {
    this.#bits = withBit(this.#bits, UPGRADED, value);
  }

  /** True while an upgrade is being probed. */
  get upgrading(): boolean {
    return (this.#bits & UPGRADING) !== 0;
  }

  set upgrading(value: boolean) {
    this.#bits = withBit(this.#bits, UPGRADING, value);
  }

  // close() waits for the buffer (or the upgrade) before closing the transport
  get #closeAfterFlush(): boolean {
    return (this.#bits & CLOSE_AFTER_FLUSH) !== 0;
  }

  set #closeAfterFlush(value: boolean) {
    this.#bits = withBit(this.#bits, CLOSE_AFTER_FLUSH, value);
  }

  // the probe of a WebSocket upgrade here
  get #probe(): UpgradeProbe | null {
    const pending = this.#pendingUpgrade;
    return pending instanceof UpgradeProbe ? pending : null;
  }

  set #probe(probe: UpgradeProbe | null) {
    if (probe !== null || this.#pendingUpgrade instanceof UpgradeProbe) this.#pendingUpgrade = probe;
  }

  // set while another node moves this session there
  get #moveHold(): NodeJS.Timeout | null {
    const pending = this.#pendingUpgrade;
    return pending instanceof UpgradeProbe ? null : pending;
  }

  set #moveHold(timer: NodeJS.Timeout | null) {
    if (timer !== null || !(this.#pendingUpgrade instanceof UpgradeProbe)) this.#pendingUpgrade = timer;
  }

  /**
   * Created by the engine on a successful handshake; not meant to be constructed by users.
   *
   * @param id the session id
   * @param req the handshake request
   * @param transport the first transport
   * @param opts resolved engine options
   * @param protocol the Engine.IO protocol version of the client (3 only with `allowEIO3`)
   */
  constructor(id: string, req: IncomingMessage, transport: Transport, opts: ResolvedEngineOptions, protocol: 3 | 4 = ENGINE_PROTOCOL) {
    super();
    // most sessions are read only by the Socket.IO layer (kSetConsumer): no table until a listener
    noListenerTable(this);
    this.id = id;
    this.remoteAddress = req.socket?.remoteAddress ?? "";
    // the fields apps read, not the stream (issue 18); req itself when something was attached
    this.request = keptRequest(req);
    this.transport = transport;
    this.#ctx = Socket.#contextOf(opts, protocol);
    // the session itself receives its transport's reports (no closure nor link object per session)
    transport.bind(this);
  }

  // ── the transport's reports (SessionHandle): engine.io's Socket has the same four methods ──

  /**
   * @internal A packet arrived on the transport.
   *
   * @param packet the packet
   */
  onPacket(packet: EnginePacket): void {
    this.#onPacket(packet);
  }

  /** @internal The transport became writable. */
  onDrain(): void {
    this.#onDrain();
  }

  /**
   * @internal The transport failed: closes with `"parse error"` (SKT_ERR_ENGINE_PARSE) or
   * `"transport error"`.
   *
   * @param err the transport's error
   */
  onError(err: SocketeerError): void {
    this.#onClose(err.code === "SKT_ERR_ENGINE_PARSE" ? "parse error" : "transport error", err);
  }

  /**
   * @internal The transport closed (reason `"transport close"`), or closes with `reason`.
   *
   * @param reason the close reason
   * @param description the error behind it, if any
   */
  onClose(reason: CloseReason = "transport close", description?: SocketeerError): void {
    this.#onClose(reason, description);
  }

  /**
   * Sends the `open` packet and starts the heartbeat; called by the engine.
   *
   * @param upgrades the transports the client may upgrade to
   */
  open(upgrades: readonly string[]): void {
    this.readyState = "open";
    const { pingInterval, pingTimeout, maxHttpBufferSize } = this.#ctx.opts;
    const handshake = { sid: this.id, upgrades, pingInterval, pingTimeout, maxPayload: maxHttpBufferSize };
    this.#sendPacket("open", JSON.stringify(handshake), undefined, undefined);
    if (this.#ctx.opts.initialPacket !== undefined) this.#sendPacket("message", this.#ctx.opts.initialPacket, undefined, undefined);
    // the initial packet may already have closed the session (buffer caps)
    if (this.readyState !== "open") return;
    this.emit("open");
    // v3: no server ping; the client's pings must come within pingInterval + pingTimeout
    if (this.protocol === 3) this.#wait(this.#ctx.pong);
    else this.#schedulePing();
  }

  /** Bytes queued for this client and not yet handed to its transport (for metrics). */
  get bufferedBytes(): number {
    return this.#buffer?.bytes ?? 0;
  }

  /**
   * Sends a message.
   *
   * @param data a string or binary data
   * @param opts `{ compress?, volatile?, wsPreEncoded? }` (see {@link SendOptions})
   * @param cb called once the message was handed to the OS
   * @returns this socket
   * @example
   * socket.send("hello");
   * socket.send(Buffer.from([1, 2, 3]), { compress: false });
   */
  send(data: MessageData, opts?: SendOptions, cb?: () => void): this {
    this.#sendPacket("message", data, opts, cb);
    return this;
  }

  /** Alias of {@link Socket.send}. */
  write(data: MessageData, opts?: SendOptions, cb?: () => void): this {
    this.#sendPacket("message", data, opts, cb);
    return this;
  }

  /**
   * Closes the session gracefully: buffered packets are flushed first; reason `"forced close"`.
   *
   * @param discard when true, close at once without flushing
   * @returns this socket
   */
  close(discard = false): this {
    if (this.readyState !== "open" && this.readyState !== "opening") return this;
    this.readyState = "closing";
    if (discard) {
      this.#probe?.abort();
      this.#probe = null;
      this.upgrading = false;
    }
    // A probe in flight is left to finish: once the client has seen `3probe` it pauses polling
    // and will only read again on the WebSocket, so aborting the probe here would strand the
    // packets still buffered (e.g. a Socket.IO DISCONNECT) until a ping timeout.
    // #completeUpgrade flushes them and then closes; a failed probe falls back to polling.
    if (!discard && (this.#queued() > 0 || this.upgrading)) {
      this.#closeAfterFlush = true;
      return this;
    }
    this.#closeTransport();
    return this;
  }

  /** @internal The engine that lists this session: told first when it closes. */
  [kRegisterOwner](owner: SessionOwner): void {
    const ctx = this.#ctx;
    if (ctx.owner === owner) return;
    let owned = ctx.owned.get(owner);
    if (owned === undefined) ctx.owned.set(owner, (owned = { ...ctx, owner }));
    this.#ctx = owned;
  }

  /** @internal The layer above (the Socket.IO Client), or null to let go of it. */
  [kSetConsumer](consumer: SessionConsumer | null): void {
    this.#consumer = consumer;
  }

  /** @internal The layer above, if any. */
  get [kConsumer](): SessionConsumer | null {
    return this.#consumer;
  }

  /** @internal Closes at once with `reason` (server shutdown). */
  [kForceClose](reason: CloseReason): void {
    this.#onClose(reason);
  }

  /** @internal Probes `transport` for an upgrade (polling → websocket). */
  [kOfferUpgrade](transport: Transport): void {
    if (this.readyState !== "open" || this.upgrading || this.upgraded || this.transport.name === transport.name) {
      transport.destroy();
      return;
    }
    this.upgrading = true;
    if (this.listenerCount("upgrading") > 0) this.emit("upgrading", transport);
    this.#probe = new UpgradeProbe(transport, this.#ctx.opts.upgradeTimeout, {
      onProbed: () => this.#releasePoll(),
      onUpgrade: () => this.#completeUpgrade(transport),
      onFail: () => {
        this.#probe = null;
        this.upgrading = false;
        // close() waited for this probe: finish the close over polling
        this.#flush();
        this.#closeIfDrained();
      },
    });
  }

  /**
   * @internal The client probed an upgrade on another node: release the pending GET (as at a
   * local probe) and keep what is sent from now on for the hand-over; back to polling after
   * `timeoutMs` without one.
   *
   * @returns false when the session cannot move (not open, not polling, already upgrading, v3)
   */
  [kHold](timeoutMs: number): boolean {
    if (this.readyState !== "open" || this.protocol !== 4 || this.upgrading || this.upgraded || this.transport.name !== "polling") return false;
    this.upgrading = true;
    this.#moveHold = setTimeout(() => this[kUnhold](), timeoutMs);
    this.#releasePoll();
    return true;
  }

  /** @internal The move was abandoned: the session goes on over polling. */
  [kUnhold](): void {
    if (this.#moveHold === null) return;
    clearTimeout(this.#moveHold);
    this.#moveHold = null;
    this.upgrading = false;
    this.#flush();
    this.#closeIfDrained();
  }

  /**
   * @internal Hands a held session over: its buffered packets, in order; then the session
   * closes here with reason `"session moved"` (nothing is sent to the client).
   *
   * @param beforeClose called once the hand-over is sure, before the session closes
   *
   * @returns the packets, or `undefined` when the session is not held (or no longer open)
   */
  [kHandOver](beforeClose?: () => void): MovedPacket[] | undefined {
    if (this.#moveHold === null || this.readyState !== "open") return undefined;
    clearTimeout(this.#moveHold);
    this.#moveHold = null;
    const queued = this.#buffer?.drain() ?? [];
    const packets: MovedPacket[] = [];
    for (const q of queued) {
      const data = q.packet.data;
      if (data === undefined || typeof data === "string") packets.push(data === undefined ? { type: q.packet.type } : { type: q.packet.type, data });
      else packets.push({ type: q.packet.type, data: toBuffer(data) });
    }
    beforeClose?.();
    this.#onClose("session moved");
    for (const q of queued) q.cb?.();
    return packets;
  }

  /**
   * @internal Starts a session moved in from another node on its WebSocket: open and upgraded,
   * the old node's buffered packets first, then the heartbeat.
   */
  [kAdopt](packets: readonly MovedPacket[]): void {
    this.readyState = "open";
    this.upgraded = true;
    for (const p of packets) this.#sendPacket(p.type, p.data, undefined, undefined);
    if (this.readyState !== "open") return;
    this.#schedulePing();
  }

  /** @internal The packets the client sent on its WebSocket while the session moved in. */
  [kReceive](packets: readonly EnginePacket[]): void {
    for (const p of packets) this.#onPacket(p);
  }

  #sendPacket(type: EnginePacketType, data: MessageData | undefined, opts: SendOptions | undefined, cb: (() => void) | undefined): void {
    if (this.readyState === "closing" || this.readyState === "closed") return;
    const volatile = opts?.volatile === true;
    // volatile: better lost than late (socket.io's `volatile` flag)
    if (volatile && !this.transport.writable) return;
    let packet: OutboundPacket = opts === undefined ? { type, data } : { type, data, options: opts };
    if (listenerTable(this).packetCreate !== undefined) {
      // as engine.io shows them: every packet has its options, `compress` defaulting to true
      packet = { type, data, options: { ...opts, compress: opts?.compress !== false } };
      this.emit("packetCreate", packet);
    }
    const transport = this.transport;
    if (this.#queued() === 0 && (transport.batching || (transport.writable && !transport.gathering))) {
      // nothing waiting and the transport is free, or its batch of this turn is open: skip the
      // buffer (the common WebSocket case)
      this.#write([packet], cb === undefined ? undefined : [cb]);
      return;
    }
    const buffer = (this.#buffer ??= new BoundedQueue(this.#ctx.opts.maxBufferedPackets, this.#ctx.opts.maxBufferedBytes));
    if (!buffer.push({ packet, cb }, packetByteLength(packet))) {
      if (volatile) return;
      const which = buffer.wouldOverflow(packetByteLength(packet)) ?? "items";
      const limit = which === "items" ? buffer.maxItems : buffer.maxBytes;
      this.#onClose("transport error", createError("SKT_ERR_ENGINE_BUFFER_FULL", which === "items" ? "packets" : "bytes", limit));
      return;
    }
    this.#flush();
  }

  #flush(): void {
    const buffer = this.#buffer;
    if (this.readyState === "closed" || !this.transport.writable || this.transport.gathering || buffer === undefined || buffer.length === 0) return;
    const queued = buffer.drain();
    const packets: OutboundPacket[] = new Array<OutboundPacket>(queued.length);
    let cbs: (() => void)[] | undefined;
    for (let i = 0; i < queued.length; i++) {
      const q = queued[i]!;
      packets[i] = q.packet;
      if (q.cb !== undefined) (cbs ??= []).push(q.cb);
    }
    this.#write(packets, cbs);
    if (this.#closeAfterFlush && buffer.length === 0) {
      this.#closeAfterFlush = false;
      this.#closeTransport();
    }
  }

  #write(packets: OutboundPacket[], cbs: (() => void)[] | undefined): void {
    if (listenerTable(this).flush !== undefined) this.emit("flush", packets);
    const done = cbs === undefined ? undefined : () => cbs.forEach((fn) => fn());
    this.transport.send(packets, done);
    if (listenerTable(this).drain !== undefined) this.emit("drain");
  }

  #onDrain(): void {
    if (this.#queued() > 0) {
      this.#flush();
      return;
    }
    // spec § "Upgrade": a GET arriving while the probe succeeded is released with a noop
    if (this.#probe?.probed === true || this.#moveHold !== null) this.transport.send([{ type: "noop" }]);
  }

  #releasePoll(): void {
    if (!this.transport.writable) return;
    if (this.#queued() > 0) this.#flush();
    else this.transport.send([{ type: "noop" }]);
  }

  #completeUpgrade(transport: Transport): void {
    this.#probe = null;
    this.upgrading = false;
    if (this.readyState === "closed") {
      transport.destroy();
      return;
    }
    const old = this.transport;
    old.discard();
    old.destroy();
    this.transport = transport;
    transport.bind(this);
    this.upgraded = true;
    debug("session %s upgraded to %s", this.id, transport.name);
    if (this.listenerCount("upgrade") > 0) this.emit("upgrade", transport);
    this.#flush();
    this.#closeIfDrained();
  }

  #onPacket(packet: EnginePacket): void {
    if (this.readyState !== "open") return;
    if (listenerTable(this).packet !== undefined) this.emit("packet", packet);
    switch (packet.type) {
      case "pong":
        if (this.protocol === 3) {
          // v3 (allowEIO3): the server never pings, so a pong is the wrong heartbeat direction
          this.#onClose("transport error", createError("SKT_ERR_ENGINE_TRANSPORT", "invalid heartbeat direction"));
          break;
        }
        this.#clearHeartbeat();
        this.#schedulePing();
        this.emit("heartbeat");
        break;
      case "message": {
        const data = packet.data as string | Buffer;
        if (listenerTable(this).data !== undefined) this.emit("data", data);
        this.#consumer?.[kConsumeMessage](data);
        if (listenerTable(this).message !== undefined) this.emit("message", data);
        break;
      }
      case "close":
        this.#onClose("transport close");
        break;
      case "ping":
        // v3 (allowEIO3): the client's ping is answered with a pong and restarts its deadline
        if (this.protocol === 3) this.#onClientPing(packet.data);
        break;
      default:
        // ping/open/upgrade/noop from the client on an open session: ignored (spec § "Heartbeat")
        break;
    }
  }

  #onClientPing(data: EnginePacket["data"]): void {
    this.#wait(this.#ctx.pong);
    this.#sendPacket("pong", typeof data === "string" ? data : undefined, undefined, undefined);
    this.emit("heartbeat");
  }

  #schedulePing(): void {
    if (this.readyState === "closed") return;
    this.#wait(this.#ctx.ping);
  }

  #onPingDue(): void {
    this.#waitingIn = null;
    this.#sendPacket("ping", undefined, undefined, undefined);
    if (this.readyState === "closed") return;
    this.#wait(this.#ctx.pong);
  }

  #onPongOverdue(): void {
    this.#waitingIn = null;
    // as socket.io does, a WebSocket session starts the closing handshake (a Close frame; ws
    // bounds the wait for the answer) instead of dropping the TCP connection
    if (this.transport.name === "websocket") this.transport.close(Socket.#ignore);
    this.#onClose("ping timeout");
  }

  // The listeners (docs/CONTRIBUTING.md, "Listeners"): static, no closure per session. The
  // heartbeat queues hand over the session whose deadline passed.
  static #pingQueueOnDue(s: Socket): void {
    s.#onPingDue();
  }

  static #pongQueueOnDue(s: Socket): void {
    s.#onPongOverdue();
  }

  /** Waits in `list` (ping due or pong overdue), out of any other list first. */
  #wait(list: DeadlineList<Socket>): void {
    this.#waitingIn?.remove(this);
    this.#waitingIn = list;
    list.add(this);
  }

  static #contexts = new WeakMap<ResolvedEngineOptions, { v4?: SessionContext; v3?: SessionContext }>();

  /** The context of the sessions of one engine (its options) and protocol version. */
  static #contextOf(opts: ResolvedEngineOptions, protocol: 3 | 4): SessionContext {
    let byVersion = Socket.#contexts.get(opts);
    if (byVersion === undefined) Socket.#contexts.set(opts, (byVersion = {}));
    const key = protocol === 3 ? "v3" : "v4";
    let ctx = byVersion[key];
    if (ctx === undefined) {
      const { ping, pong } = heartbeatQueues<Socket>(opts, opts.pingInterval, opts.pingTimeout, Socket.#pingQueueOnDue, Socket.#pongQueueOnDue);
      // Engine.IO v3 (allowEIO3): the client pings; only the ping-timeout list differs
      const v3pong = protocol === 3 ? v3PingTimeoutQueue<Socket>(opts, opts.pingInterval, opts.pingTimeout, Socket.#pongQueueOnDue) : undefined;
      ctx = { opts, ping, pong: v3pong ?? pong, protocol, owner: null, owned: new WeakMap() };
      byVersion[key] = ctx;
    }
    return ctx;
  }

  static #ignore(): void {
    // nothing to do once the transport's close has started
  }

  static {
    deferListenerTable(this.prototype);
  }

  #clearHeartbeat(): void {
    this.#waitingIn?.remove(this);
    this.#waitingIn = null;
  }

  /** Packets waiting in the buffer. */
  #queued(): number {
    return this.#buffer?.length ?? 0;
  }

  /** Completes a close() that was waiting on the buffer or an upgrade, once nothing is left. */
  #closeIfDrained(): void {
    if (this.readyState !== "closing" || !this.#closeAfterFlush || this.#queued() > 0) return;
    this.#closeAfterFlush = false;
    this.#closeTransport();
  }

  #closeTransport(): void {
    this.transport.close(() => this.#onClose("forced close"));
  }

  #onClose(reason: CloseReason, description?: SocketeerError): void {
    if (this.readyState === "closed") return;
    this.readyState = "closed";
    debug("session %s closed: %s", this.id, reason);
    this.#clearHeartbeat();
    if (this.#moveHold !== null) clearTimeout(this.#moveHold);
    this.#moveHold = null;
    this.#probe?.abort();
    this.#probe = null;
    this.upgrading = false;
    this.#buffer?.clear();
    this.transport.destroy();
    // told once: a closed session never comes back here
    this.#ctx.owner?.[kSessionClosed](this);
    const consumer = this.#consumer;
    this.#consumer = null;
    consumer?.[kConsumeClose](reason, description);
    this.emit("close", reason, description);
  }
}
