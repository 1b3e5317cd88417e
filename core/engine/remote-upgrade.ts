/**
 * @module engine/remote-upgrade — the polling → WebSocket probe of a session owned by another
 * node (no sticky sessions): the upgrade moves the session here.
 *
 * Same protocol as engine/upgrade.ts, with the owner in the loop: at `2probe` the owner is asked
 * to release its pending GET and hold further packets (`move.probe()`), and only then is `3probe`
 * answered; at `5` the owner hands the session over (`move.take()`). What the client sends on the
 * WebSocket after its `5` (it flushes its buffer at once) waits here until the session arrived.
 * Anything else on the probe transport, its close, the owner's refusal or `upgradeTimeout`
 * abandons the attempt: before `5` the client keeps polling (the owner is told, `cancel`); after
 * `5` it sees its transport close and reconnects.
 */
import type { EnginePacket } from "../parser/engine-packet.js";
import type { MovedSession, SessionMove } from "./remote-sessions.js";
import type { SessionHandle, Transport } from "./transport.js";

/** Cap on the packets the client may send between its `5` and the session's arrival. */
export const MAX_PACKETS_DURING_MOVE = 1_000;

/**
 * Runs one move attempt on `transport`.
 *
 * @param transport the WebSocket transport, bound to this attempt until it settles
 * @param timeoutMs `upgradeTimeout` (for the whole attempt, hand-over included)
 * @param move the cluster's side of the move
 * @param adopt builds the session here; gets the packets the client sent meanwhile
 */
export function remoteUpgrade(
  transport: Transport,
  timeoutMs: number,
  move: SessionMove,
  adopt: (moved: MovedSession, received: EnginePacket[]) => void,
): void {
  let state: "new" | "probing" | "probed" | "taking" | "done" = "new";
  const received: EnginePacket[] = [];
  const timer = setTimeout(() => fail(), timeoutMs);
  const fail = (): void => {
    if (state === "done") return;
    const cancel = state !== "taking";
    state = "done";
    clearTimeout(timer);
    transport.unbind();
    transport.destroy();
    if (cancel) move.cancel();
  };
  const handle: SessionHandle = {
    onPacket: (packet) => {
      if (state === "taking") {
        if (received.push(packet) > MAX_PACKETS_DURING_MOVE) fail();
        return;
      }
      if (state === "new" && packet.type === "ping" && packet.data === "probe") {
        state = "probing";
        move.probe().then(() => {
          if (state !== "probing") return;
          state = "probed";
          transport.send([{ type: "pong", data: "probe" }]);
        }, fail);
      } else if (state === "probed" && packet.type === "upgrade") {
        state = "taking";
        move.take().then((moved) => {
          if (state !== "taking") return;
          state = "done";
          clearTimeout(timer);
          transport.unbind();
          adopt(moved, received);
        }, fail);
      } else {
        fail();
      }
    },
    onDrain: () => {},
    onError: () => fail(),
    onClose: () => fail(),
  };
  transport.bind(handle);
}
