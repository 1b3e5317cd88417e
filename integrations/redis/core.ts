/**
 * @module redis/core — the single place where the Redis adapter reaches into Socketeer's core.
 *
 * Everything comes from the public entry (`core/index.ts`), except the option resolver, which
 * every component uses to declare its options (docs/CONTRIBUTING.md) and which the public API
 * does not re-export.
 */
export {
  Adapter,
  createError,
  createErrorWithCause,
  kOnServerSideEmit,
  kHoldForMove,
  kMoveOut,
  kReleaseHold,
  kRemoteSessions,
  kServeRelayed,
  type HeldAck,
  type MoveOut,
  type MovedPacket,
  type MovedSession,
  type RemoteSessions,
  type SessionMove,
  type AdapterNamespace,
  type AdapterSocket,
  type BroadcastOptions,
  type Packet,
  type PrivateSessionId,
  type Room,
  type Session,
  type SessionToPersist,
  type SocketeerError,
  type SocketDetails,
} from "../../core/index.js";
export { is, resolveOptions, type OptionSchema } from "../../core/util/options.js";
