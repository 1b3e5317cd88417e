/**
 * @module integrations/decorators — framework-neutral handler decorators for Socketeer (plain Node,
 * Fastify, Express): decorate a class, then `registerHandlers(io, [instance])`.
 */
export {
  AckCallback,
  Args,
  Client,
  DisconnectReason,
  Namespace,
  On,
  OnConnection,
  OnDisconnect,
  Payload,
  readMetadata,
  type ClassMetadata,
  type HandlerKind,
  type HandlerSpec,
  type ParamKind,
  type ParamSpec,
} from "./metadata.js";
export {
  errorReply,
  HandlerError,
  registerHandlers,
  type HandlerErrorReply,
  type HandlerNamespace,
  type HandlerServer,
  type HandlerSocket,
  type RegisterOptions,
} from "./register.js";
