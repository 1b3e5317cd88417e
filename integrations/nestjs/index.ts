/**
 * @module integrations/nestjs — `socketeer/nestjs`: the NestJS WebSocket adapter (a drop-in for
 * `IoAdapter` from `@nestjs/platform-socket.io`) and the framework-neutral handler decorators (also
 * meant for a neutral entry point).
 */
export { IoAdapter, SocketeerAdapter, type GatewayServerOptions, type SocketeerAdapterOptions } from "./io-adapter.js";
export { handshakeMiddleware, type EngineMiddleware, type GuardResponse, type HandshakeGuard, type HandshakeVerdict } from "./handshake-guard.js";
export { connectionExceptionPayload, type ConnectionExceptionPayload } from "./connection-hook.js";
export { mapPayload, type MappedPayload } from "./payload.js";
export {
  AckCallback,
  Args,
  Client,
  DisconnectReason,
  errorReply,
  HandlerError,
  Namespace,
  On,
  OnConnection,
  OnDisconnect,
  Payload,
  readMetadata,
  registerHandlers,
  type ClassMetadata,
  type HandlerErrorReply,
  type HandlerKind,
  type HandlerNamespace,
  type HandlerServer,
  type HandlerSocket,
  type HandlerSpec,
  type ParamKind,
  type ParamSpec,
  type RegisterOptions,
} from "../decorators/index.js";
