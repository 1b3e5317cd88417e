/**
 * @module engine/contracts — the engine's internal seams, in one place: what the engine Server
 * calls on its sessions besides their public API. The contract between a session and its
 * transports is `Transport` / `SessionHandle` in `transport.ts`; the message a broadcast
 * prepares once for every recipient is `PreparedMessage` in `prepared-message.ts`.
 */

/** Session (from the engine Server): closes at once with a reason (server shutdown). */
export const kForceClose: unique symbol = Symbol("socketeer.engine.forceClose");
/** Session (from the engine Server): a probed WebSocket transport is offered for an upgrade. */
export const kOfferUpgrade: unique symbol = Symbol("socketeer.engine.offerUpgrade");
/** Session (from the engine Server): holds packets for a move to another node (the client probed there). */
export const kHold: unique symbol = Symbol("socketeer.engine.hold");
/** Session (from the engine Server): the move was abandoned; back to polling. */
export const kUnhold: unique symbol = Symbol("socketeer.engine.unhold");
/** Session (from the engine Server): hands the held packets over and closes with reason "session moved". */
export const kHandOver: unique symbol = Symbol("socketeer.engine.handOver");
/** Session (from the engine Server): a session moved in from another node starts here, upgraded. */
export const kAdopt: unique symbol = Symbol("socketeer.engine.adopt");
/** Session (from the engine Server): packets the client sent while the session moved in. */
export const kReceive: unique symbol = Symbol("socketeer.engine.receive");
