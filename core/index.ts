/**
 * @module socketeer — the public API: `import { Server } from "socketeer"` gives what
 * `import { Server } from "socket.io"` v4 gives.
 */
export { Server } from "./server.js";
export type { ServerReservedEventsMap } from "./namespace/main-namespace-facade.js";
export {
  Namespace,
  type NamespaceReservedEventsMap,
  type NamespaceMiddleware,
  type ExtendedError,
} from "./namespace/namespace.js";
export { ParentNamespace, type NamespaceMatcher } from "./namespace/parent-namespace.js";
export { Socket, type SocketReservedEventsMap, type Event } from "./socket/socket.js";
export { Client } from "./socket/client.js";
export type { Handshake } from "./socket/handshake.js";
export { BroadcastOperator } from "./broadcast/broadcast-operator.js";
export { RemoteSocket, type SocketDetails } from "./broadcast/broadcast-operator.js";
export {
  Adapter,
  InMemoryAdapter,
  SessionAwareAdapter,
  DEFAULT_MAX_DISCONNECTION_DURATION,
  DEFAULT_MAX_PERSISTED_PACKETS,
} from "./adapter/index.js";
export type {
  Room,
  SocketId,
  PrivateSessionId,
  BroadcastFlags,
  BroadcastOptions,
  Packet,
  EncodedPacket,
  EncodedFrame,
  PacketEncoder,
  WriteOptions,
  AdapterSocket,
  AdapterNamespace,
  AdapterServer,
  AdapterLike,
  AdapterConstructor,
  AdapterHandshake,
  RecoverySettings,
  Session,
  SessionToPersist,
} from "./adapter/index.js";
export type {
  ServerOptions,
  ConnectionStateRecoveryOptions,
  AdapterOption,
  ParserOption,
  ResolvedServerOptions,
} from "./options.js";
export type {
  EventsMap,
  DefaultEventsMap,
  DefaultSocketData,
  EventNames,
  EventParams,
  DecorateAcknowledgements,
  DecorateAcknowledgementsWithMultipleResponses,
  DecorateAcknowledgementsWithTimeoutAndMultipleResponses,
  RemoveAcknowledgements,
  EventNamesWithAck,
  AckResult,
} from "./events/typed-events.js";
export { DISCONNECT_REASON, type DisconnectReason } from "./constants.js";
/** socket.io's members that adapters and apps read on the server's objects (core/compat/). */
export type {
  SocketIoServerMembers,
  SocketIoServerOptions,
  SocketIoNamespaceMembers,
  SocketIoSocketMembers,
  SocketIoClientMembers,
  SocketIoBroadcastOperatorMembers,
} from "./compat/members.js";
export { createError, createErrorWithCause, isSocketeerError, type SocketeerError, type ErrorCode } from "./errors.js";
/** The codec, as socket.io re-exports socket.io-parser's protocol number. */
export { protocol } from "./parser/index.js";
/**
 * Seams for cluster adapters (e.g. `socketeer/redis`): the symbol-keyed members of
 * `AdapterSocket` and `AdapterNamespace`.
 */
export { kWriteEncoded, kNotifyOutgoing, kNextAckId, kOnServerSideEmit } from "./contracts.js";
export {
  kHoldForMove,
  kMovedIn,
  kMoveOut,
  kReleaseHold,
  kRemoteSessions,
  kServeRelayed,
  type MovedPacket,
  type MovedSession,
  type RemoteSessions,
  type SessionMove,
} from "./engine/remote-sessions.js";
export type { HeldAck, MoveOut, MovedClientState, MovedSocketState } from "./socket/moved-state.js";
/** The seam for host frameworks fronting a Server on its HTTP servers (`socketeer/express`). */
export { kHttpHost } from "./contracts.js";
export type { HttpHost } from "./server/http-host.js";

// metrics: io.metrics() snapshots and their Prometheus rendering
export { renderPrometheus, PROMETHEUS_CONTENT_TYPE } from "./metrics/index.js";
export type { MetricsSnapshot, NamespaceMetrics, SnapshotOptions, PrometheusOptions } from "./metrics/index.js";
