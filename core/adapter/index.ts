/**
 * @module adapter — the adapter port and the in-memory implementations.
 */
export { Adapter, InMemoryAdapter } from "./adapter.js";
export {
  SessionAwareAdapter,
  DEFAULT_MAX_DISCONNECTION_DURATION,
  DEFAULT_MAX_PERSISTED_PACKETS,
} from "./session-aware-adapter.js";
export type * from "./types.js";
export type { AdapterSocket, AdapterNamespace, AdapterServer, AdapterLike, AdapterConstructor } from "../contracts.js";
