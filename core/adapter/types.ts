/**
 * @module adapter/types — the data an adapter handles: rooms and ids, broadcast options and flags,
 * packets and frames, and the session shapes of connection state recovery. What an adapter may
 * call (`AdapterSocket`, `AdapterNamespace`, `AdapterLike`) is in `core/contracts.ts`.
 */
import type { SendOptions } from "../engine/transport.js";
import type { EncodedFrame, Packet } from "../parser/socket-packet.js";
import type { Handshake } from "../socket/handshake.js";

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

/** A Socket.IO packet: the parser's (one definition). */
export type { Packet, EncodedFrame } from "../parser/socket-packet.js";

/** One encoded frame: the name the adapter API had for {@link EncodedFrame}. @deprecated use `EncodedFrame` */
export type EncodedPacket = EncodedFrame;

/** What an adapter needs of the server's encoder. */
export interface PacketEncoder {
  encode(packet: Packet): EncodedFrame[];
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

/** The connection-state-recovery settings an adapter reads from the server. */
export interface RecoverySettings {
  /** How long a disconnected session (and its missed packets) is kept, in ms. */
  readonly maxDisconnectionDuration: number;
  /** How many packets are kept at most for replay (oldest dropped first). */
  readonly maxPersistedPackets: number;
}

/** The serializable details of a socket, as a cluster adapter hands out another node's sockets. */
export interface SocketDetails<SocketData = unknown> {
  id: SocketId;
  handshake: Handshake;
  rooms: Set<Room> | Room[];
  data: SocketData;
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
