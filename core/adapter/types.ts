/**
 * @module adapter/types — the contract between the adapter and the rest of the server:
 * broadcast options and flags, the session shapes of connection state recovery, and the
 * named internal interfaces (`AdapterSocket`, `AdapterNamespace`) through which an adapter
 * reaches sockets. Cluster adapters (e.g. `socketeer/redis`) build on these types.
 */
import type { SendOptions } from "../engine/transport.js";
import type { Handshake } from "../socket/handshake.js";
import type { kNextAckId, kNotifyOutgoing, kWriteEncoded } from "../contracts.js";

/** A room name. Every socket is in the room named by its own id. */
export type Room = string;
/** A socket id. */
export type SocketId = string;
/** The private session id of connection state recovery (never shown to other clients). */
export type PrivateSessionId = string;

/** Modifiers of one broadcast. */
export interface BroadcastFlags {
  /** Drop the packet for recipients whose transport is not writable right now. */
  volatile?: boolean;
  /** Ask the transport to compress (permessage-deflate / gzip). */
  compress?: boolean;
  /** Only this node's sockets (cluster adapters skip the other nodes). */
  local?: boolean;
  /** Set on broadcasts (as opposed to emits to one socket). */
  broadcast?: boolean;
  /** Forces binary detection off/on (kept for socket.io compatibility). */
  binary?: boolean;
  /** Ack timeout in ms, for broadcasts with acks. */
  timeout?: number;
  /** The ack expects one answer, not a list (a RemoteSocket's emit). */
  expectSingleResponse?: boolean;
}

/** Who receives a broadcast: sockets in any of `rooms` (all when empty) and in none of `except`. */
export interface BroadcastOptions {
  rooms: Set<Room>;
  except?: Set<Room>;
  flags?: BroadcastFlags;
}

/** A Socket.IO packet as handed to the encoder (socket.io-parser's `Packet` shape). */
export interface Packet {
  type: number;
  nsp: string;
  data?: unknown;
  id?: number;
  attachments?: number;
}

/** One encoded frame: a text frame or a binary attachment. */
export type EncodedPacket = string | Buffer | ArrayBuffer | ArrayBufferView;

/** What an adapter needs of the server's encoder. */
export interface PacketEncoder {
  encode(packet: Packet): EncodedPacket[];
}

/**
 * Options of a write to the engine: the engine's send options (`volatile`, `compress`, and the
 * message prepared once per broadcast, `prepared`, or a third-party adapter's `wsPreEncodedFrame`)
 * plus socket.io's `preEncoded` marker.
 */
export interface WriteOptions extends SendOptions {
  /** The frames are already Socket.IO-encoded (a broadcast). */
  preEncoded?: boolean;
}

/**
 * The handshake details an adapter may hand out with `fetchSockets()`: the socket's own `Handshake`
 * (one definition; the name stays for the adapter API).
 */
export type AdapterHandshake = Handshake;

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
  [kWriteEncoded](encoded: readonly EncodedPacket[], opts: WriteOptions): void;
  /**
   * The pending acks by packet id (socket.io's `socket.acks`): an adapter registers a
   * broadcast's ack under the id it assigned with `acks.set(id, ack)`.
   */
  readonly acks: Map<number, (...args: unknown[]) => void>;
  /** Tells `onAnyOutgoing` listeners about a broadcast packet (cheap when none). */
  [kNotifyOutgoing](packet: Packet): void;
}

/** The connection-state-recovery settings an adapter reads from the server. */
export interface RecoverySettings {
  /** How long a disconnected session (and its missed packets) is kept, in ms. */
  readonly maxDisconnectionDuration: number;
  /** How many packets are kept at most for replay (oldest dropped first). */
  readonly maxPersistedPackets: number;
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
}

/** A session saved at disconnection, for connection state recovery. */
export interface SessionToPersist {
  sid: SocketId;
  pid: PrivateSessionId;
  rooms: Room[];
  data: unknown;
}

/** A restored session: the saved state plus the packets the client missed (each an argument list). */
export interface Session extends SessionToPersist {
  missedPackets: unknown[][];
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
  fetchSockets(opts: BroadcastOptions): Promise<unknown[]>;
  addSockets(opts: BroadcastOptions, rooms: Room[]): void;
  delSockets(opts: BroadcastOptions, rooms: Room[]): void;
  disconnectSockets(opts: BroadcastOptions, close: boolean): void;
  serverSideEmit(packet: unknown[]): void;
  persistSession(session: SessionToPersist): void | Promise<void>;
  /** socket.io-adapter's base class answers `null` directly instead of a promise. */
  restoreSession(pid: PrivateSessionId, offset: string): Promise<Session | null> | null;
}
