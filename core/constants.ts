/**
 * @module constants — wire constants of the Socket.IO layer (socket.io-protocol-v5.md) and the
 * `disconnect` reason strings, mapped to only at the edge.
 */

/** Socket.IO protocol revision spoken by this server (socket.io-protocol-v5.md). */
export const SOCKET_IO_PROTOCOL = 5;

/** Default HTTP path the server answers under (socket.io's default). */
export const DEFAULT_PATH = "/socket.io";

/** Socket.IO packet types (socket.io-protocol-v5.md, "Packet format"). */
export const PACKET_TYPE = {
  CONNECT: 0,
  DISCONNECT: 1,
  EVENT: 2,
  ACK: 3,
  CONNECT_ERROR: 4,
  BINARY_EVENT: 5,
  BINARY_ACK: 6,
} as const;

/** Every reason a server-side socket can be disconnected for, as socket.io v4 reports them. */
export const DISCONNECT_REASON = {
  TRANSPORT_ERROR: "transport error",
  TRANSPORT_CLOSE: "transport close",
  FORCED_CLOSE: "forced close",
  PING_TIMEOUT: "ping timeout",
  PARSE_ERROR: "parse error",
  SERVER_SHUTTING_DOWN: "server shutting down",
  FORCED_SERVER_CLOSE: "forced server close",
  CLIENT_NAMESPACE_DISCONNECT: "client namespace disconnect",
  SERVER_NAMESPACE_DISCONNECT: "server namespace disconnect",
  /**
   * Socketeer only (no sticky sessions): the session moved to another node with its WebSocket
   * upgrade; the socket goes on there (`socket.recovered`), the client saw nothing.
   */
  SESSION_MOVED: "session moved",
} as const;

/** A `disconnect` reason string. */
export type DisconnectReason = (typeof DISCONNECT_REASON)[keyof typeof DISCONNECT_REASON];

/** Disconnection reasons after which a session is kept for connection state recovery. */
export const RECOVERABLE_DISCONNECT_REASONS: ReadonlySet<string> = new Set<string>([
  DISCONNECT_REASON.TRANSPORT_ERROR,
  DISCONNECT_REASON.TRANSPORT_CLOSE,
  DISCONNECT_REASON.FORCED_CLOSE,
  DISCONNECT_REASON.PING_TIMEOUT,
  DISCONNECT_REASON.SERVER_SHUTTING_DOWN,
  DISCONNECT_REASON.FORCED_SERVER_CLOSE,
]);

/** Event names a Socket or Namespace cannot emit to a client (they are lifecycle events). */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);
