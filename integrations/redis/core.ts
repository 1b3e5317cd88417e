/**
 * @module redis/core — the single place where the Redis adapter reaches into Socketeer's core.
 *
 * Integrations import only the public entry (`core/index.ts`); every other file of this
 * integration imports from here.
 */
export { createError, createErrorWithCause } from "../../core/errors.js";
export type { SocketeerError } from "../../core/errors.js";
export { is, resolveOptions } from "../../core/util/options.js";
export type { OptionSchema } from "../../core/util/options.js";
export { Adapter } from "../../core/adapter/index.js";
export type {
  AdapterNamespace,
  AdapterSocket,
  BroadcastOptions,
  Packet,
  PrivateSessionId,
  Room,
  Session,
  SessionToPersist,
  SocketId,
} from "../../core/adapter/index.js";
