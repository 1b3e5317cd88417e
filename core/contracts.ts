/**
 * @module contracts — the internal contracts of the core, in one place: the symbol-keyed seams and
 * the interfaces through which the core's parts call each other. A class depends on the interface
 * of what it calls, never on the concrete class (which is how the import graph stays acyclic:
 * see test/unit/import-graph.test.ts and docs/architecture.md for the map).
 *
 *   Server ──ClientHost──▶ Client ──ClientNamespace──▶ Namespace ──NamespaceHost──▶ Server
 *   Client ──ClientSocket──▶ Socket ──SocketConnection──▶ Client
 *   Socket ──SocketHost──▶ Namespace            Adapter ──AdapterNamespace/AdapterSocket──▶ Namespace/Socket
 *   Server/Namespace/Socket/BroadcastOperator ──AdapterLike──▶ adapter
 *
 * None of these symbols or interfaces is socket.io's API; socket.io's own members (what third-party
 * adapters call) are in `compat/members.ts`. Cluster adapters (`socketeer/redis`) may use the
 * adapter seams, which `core/index.ts` exports.
 */
import type { IncomingMessage } from "node:http";
import type { DisconnectReason } from "./constants.js";
import type { Socket as EngineSocket } from "./engine/socket.js";
import type { Metrics } from "./metrics/metrics.js";
import type { HeldAck, MovedSocketState } from "./socket/moved-state.js";
import type {
  AdapterHandshake,
  BroadcastOptions,
  EncodedFrame,
  Packet,
  PacketEncoder,
  PrivateSessionId,
  RecoverySettings,
  Room,
  Session,
  SessionToPersist,
  SocketDetails,
  SocketId,
  WriteOptions,
} from "./adapter/types.js";

// ── symbols ──────────────────────────────────────────────────────────────────

/** AdapterSocket: write already-encoded packets to the socket's connection. */
export const kWriteEncoded: unique symbol = Symbol("socketeer.writeEncoded");
/** AdapterSocket: notify outgoing-any listeners of a broadcast packet. */
export const kNotifyOutgoing: unique symbol = Symbol("socketeer.notifyOutgoing");
/** AdapterNamespace: the next ack id, shared by every socket of a namespace. */
export const kNextAckId: unique symbol = Symbol("socketeer.nextAckId");
/** AdapterNamespace: an event another server sent with serverSideEmit (called by cluster adapters). */
export const kOnServerSideEmit: unique symbol = Symbol("socketeer.onServerSideEmit");
/** ClientSocket: the packet handler called by its Client. */
export const kOnPacket: unique symbol = Symbol("socketeer.onPacket");
/** ClientSocket: closes the socket with a reason, called by its Client or the Server. */
export const kOnClose: unique symbol = Symbol("socketeer.onClose");
/** Socket: the connection hit an error (a packet the decoder refused); emits `error` if someone listens. */
export const kOnError: unique symbol = Symbol("socketeer.onError");
/** Socket: a socket that will never connect (refused, or its connection went away): leaves its rooms, joins no more. */
export const kDiscard: unique symbol = Symbol("socketeer.discard");
/** Socket (from its Namespace): finishes the connection (joins its own room, sends CONNECT). */
export const kOnConnect: unique symbol = Symbol("socketeer.onConnect");
/** Socket (from its Namespace): refuses the connection with CONNECT_ERROR. */
export const kConnectError: unique symbol = Symbol("socketeer.connectError");
/** ClientNamespace: admits a new client connection (middlewares, recovery). */
export const kAddClient: unique symbol = Symbol("socketeer.addClient");
/** SocketHost: forgets a closed socket. */
export const kRemoveSocket: unique symbol = Symbol("socketeer.removeSocket");
/** SocketConnection: writes a packet for one socket. */
export const kWritePacket: unique symbol = Symbol("socketeer.writePacket");
/** SocketConnection: forgets a closed socket. */
export const kRemoveFromClient: unique symbol = Symbol("socketeer.removeFromClient");
/** SocketConnection: disconnects every socket of the connection and closes it (`disconnect(true)`). */
export const kDisconnectAll: unique symbol = Symbol("socketeer.disconnectAll");
/** ClientHost: finds or creates a namespace for a CONNECT, through the dynamic matchers. */
export const kResolveNamespace: unique symbol = Symbol("socketeer.resolveNamespace");
/** ClientHost: builds a decoder for a new connection. */
export const kCreateDecoder: unique symbol = Symbol("socketeer.createDecoder");
/** ClientHost: the connect timeout in ms. */
export const kConnectTimeout: unique symbol = Symbol("socketeer.connectTimeout");
/** ClientHost / SocketHost's server: the server's counters (see metrics/metrics.ts). */
export const kMetrics: unique symbol = Symbol("socketeer.metrics");
/** Server: the host framework fronting it on its HTTP servers (see server/http-host.ts), if any. */
export const kHttpHost: unique symbol = Symbol("socketeer.httpHost");
/** NamespaceHost: builds the adapter of a namespace. */
export const kCreateAdapter: unique symbol = Symbol("socketeer.createAdapter");
/** Namespace (from the Server): (re)creates its adapter from the server's `adapter` option. */
export const kInitAdapter: unique symbol = Symbol("socketeer.initAdapter");
/** Namespace (from the registry): called when its last socket leaves (cleanupEmptyChildNamespaces). */
export const kSetOnEmpty: unique symbol = Symbol("socketeer.setOnEmpty");

/** ClientNamespace: admits a socket moved in from another node (no sticky sessions). */
export const kAddMoved: unique symbol = Symbol("socketeer.addMoved");
/** ClientSocket: its state for a move to another node (its pending acks taken out). */
export const kMoveState: unique symbol = Symbol("socketeer.moveState");
/** Socket: the acks the old node waits for, answered through the cluster (moved in). */
export const kExpectAcks: unique symbol = Symbol("socketeer.expectAcks");

// ── what a Client needs ───────────────────────────────────────────────────────

/** What a Client needs of its Server. */
export interface ClientHost {
  readonly encoder: PacketEncoder;
  readonly [kMetrics]: Metrics;
  readonly [kConnectTimeout]: number;
  [kCreateDecoder](): unknown;
  [kResolveNamespace](name: string, auth: unknown, cb: (nsp: ClientNamespace | undefined) => void): void;
}

/** What a Client needs of a namespace its connection joins. */
export interface ClientNamespace {
  readonly name: string;
  [kAddClient](client: SocketConnection, auth: unknown, onConnect: (socket: ClientSocket) => void): void;
  [kAddMoved](
    client: SocketConnection,
    state: MovedSocketState,
    forwardAck: (id: number, args: unknown[]) => void,
    onDone: (socket: ClientSocket | undefined) => void,
  ): void;
}

/** What a Client needs of the sockets multiplexed on it. */
export interface ClientSocket {
  readonly id: SocketId;
  readonly nsp: { readonly name: string };
  [kOnPacket](packet: Packet): void;
  [kOnClose](reason: DisconnectReason, description?: unknown): void;
  /** The connection hit an error (a packet the decoder refused). */
  [kOnError](err: Error): void;
  [kMoveState](): { state: MovedSocketState; acks: HeldAck[] };
  disconnect(close?: boolean): unknown;
}

// ── what a Socket needs ───────────────────────────────────────────────────────

/** What a Socket needs of its connection (the Client). */
export interface SocketConnection {
  readonly conn: EngineSocket;
  readonly request: IncomingMessage;
  /** Whether the connection is still open. */
  readonly isOpen: boolean;
  [kWritePacket](packet: Packet, opts: WriteOptions): void;
  [kWriteEncoded](encoded: readonly EncodedFrame[], opts: WriteOptions): void;
  [kRemoveFromClient](socket: ClientSocket): void;
  [kDisconnectAll](): void;
}

/** What a Socket needs of its namespace. */
export interface SocketHost extends AdapterNamespace {
  readonly adapter: AdapterLike;
  readonly server: AdapterServer & {
    readonly recovery: (RecoverySettings & { readonly skipMiddlewares: boolean }) | undefined;
    readonly [kMetrics]: Metrics;
  };
  [kRemoveSocket](socket: { readonly id: SocketId }): void;
}

// ── what a Namespace needs ────────────────────────────────────────────────────

/** What a Namespace needs of its Server. */
export interface NamespaceHost {
  readonly encoder: PacketEncoder;
  readonly recovery: (RecoverySettings & { readonly skipMiddlewares: boolean }) | undefined;
  [kCreateAdapter](nsp: AdapterNamespace): AdapterLike;
}

// ── the adapter's side ────────────────────────────────────────────────────────

/**
 * What an adapter may call on a socket. The Socket class implements it; the symbol-keyed
 * members are internal (not part of socket.io's public API).
 */
export interface AdapterSocket {
  readonly id: SocketId;
  readonly handshake: AdapterHandshake;
  readonly rooms: Set<Room>;
  data: unknown;
  join(rooms: Room | Room[]): Promise<void> | void;
  leave(room: Room): Promise<void> | void;
  disconnect(close?: boolean): unknown;
  /** Writes frames encoded once for the whole broadcast. */
  [kWriteEncoded](encoded: readonly EncodedFrame[], opts: WriteOptions): void;
  /**
   * The pending acks by packet id (socket.io's `socket.acks`): an adapter registers a
   * broadcast's ack under the id it assigned with `acks.set(id, ack)`.
   */
  readonly acks: Map<number, (...args: unknown[]) => void>;
  /** Tells `onAnyOutgoing` listeners about a broadcast packet (cheap when none). */
  [kNotifyOutgoing](packet: Packet): void;
}

/** What an adapter sees of the server. */
export interface AdapterServer {
  readonly encoder: PacketEncoder;
  /** Set when `connectionStateRecovery` is enabled. */
  readonly recovery: RecoverySettings | undefined;
}

/** What an adapter sees of its namespace. */
export interface AdapterNamespace {
  readonly name: string;
  readonly sockets: ReadonlyMap<SocketId, AdapterSocket>;
  readonly server: AdapterServer;
  /** A fresh ack id; shared by the namespace's sockets so one id can serve a whole broadcast. */
  [kNextAckId](): number;
  /** Emits an event another server sent with serverSideEmit (the ack callback, if any, last). */
  [kOnServerSideEmit](args: unknown[]): void;
}

/** A constructor of adapters, as accepted by the `adapter` server option. */
export type AdapterConstructor = new (nsp: AdapterNamespace) => AdapterLike;

/** The minimal shape the server calls on an adapter (what `Adapter` provides). */
export interface AdapterLike {
  /** The namespace the adapter serves. */
  readonly nsp: AdapterNamespace;
  readonly rooms: Map<Room, Set<SocketId>>;
  readonly sids: Map<SocketId, Set<Room>>;
  init(): Promise<void> | void;
  close(): Promise<void> | void;
  serverCount(): Promise<number>;
  addAll(id: SocketId, rooms: Set<Room>): Promise<void> | void;
  del(id: SocketId, room: Room): Promise<void> | void;
  delAll(id: SocketId): void;
  broadcast(packet: Packet, opts: BroadcastOptions): void;
  broadcastWithAck(
    packet: Packet,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void;
  sockets(rooms: Set<Room>): Promise<Set<SocketId>>;
  socketRooms(id: SocketId): Set<Room> | undefined;
  /** Local sockets, plus the details of other nodes' sockets for cluster adapters. */
  fetchSockets(opts: BroadcastOptions): Promise<(AdapterSocket | SocketDetails)[]>;
  addSockets(opts: BroadcastOptions, rooms: Room[]): void;
  delSockets(opts: BroadcastOptions, rooms: Room[]): void;
  disconnectSockets(opts: BroadcastOptions, close: boolean): void;
  serverSideEmit(packet: unknown[]): void;
  persistSession(session: SessionToPersist): void | Promise<void>;
  /** socket.io-adapter's base class answers `null` directly instead of a promise. */
  restoreSession(pid: PrivateSessionId, offset: string): Promise<Session | null> | null;
}
