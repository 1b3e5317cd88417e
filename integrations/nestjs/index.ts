/**
 * @module integrations/nestjs — `socketeer/nestjs`: the NestJS WebSocket adapter (a drop-in for
 * `IoAdapter` from `@nestjs/platform-socket.io`), and the framework-neutral handler decorators of
 * `socketeer/decorators`, re-exported whole.
 */
export { IoAdapter, SocketeerAdapter, type GatewayServerOptions, type SocketeerAdapterOptions } from "./io-adapter.js";
export { handshakeMiddleware, type EngineMiddleware, type GuardResponse, type HandshakeGuard, type HandshakeVerdict } from "./handshake-guard.js";
export { connectionExceptionPayload, type ConnectionExceptionPayload } from "./connection-hook.js";
export { mapPayload, type MappedPayload } from "./payload.js";
export * from "../decorators/index.js";
