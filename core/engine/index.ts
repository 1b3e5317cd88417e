/**
 * @module engine — `socketeer/engine`: the Engine.IO v4 server on its own (engine.io v6's API).
 */
export { Server, Server as Engine } from "./engine.js";
export type { EngineMiddleware, ConnectionError, EngineServerEvents } from "./engine.js";
export { Socket } from "./socket.js";
export type { ReadyState, MessageData, EngineSocketEvents } from "./socket.js";
export { Transport } from "./transport.js";
export { PreparedMessage } from "./prepared-message.js";
export type { SendOptions, OutboundPacket, SessionHandle } from "./transport.js";
export { attach, listen } from "./listen.js";
export type { AttachOptions, HttpServerLike } from "./listener-takeover.js";
export {
  ENGINE_OPTION_SCHEMA,
  ENGINE_IGNORED_OPTIONS,
  resolveEngineOptions,
  isResolvedEngineOptions,
} from "./options.js";
export type { EngineOptions, ResolvedEngineOptions, AllowRequest, CookieOptions, WsEngine } from "./options.js";
export { ENGINE_ERRORS, ENGINE_ERROR_MESSAGES, ENGINE_PROTOCOL } from "./constants.js";
export type { CloseReason, EngineErrorCode, TransportName } from "./constants.js";
export type { CorsOptions } from "../util/http.js";
export type { EnginePacket, EnginePacketType } from "../parser/engine-packet.js";
export { UpgradeResponse } from "./upgrade-response.js";

/** The engine socket type (alias kept for the socket layer). */
export type { Socket as EngineSocket } from "./socket.js";
