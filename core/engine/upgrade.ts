/**
 * @module engine/upgrade — the polling → WebSocket probe (2probe/3probe, 5 upgrade) under upgradeTimeout.
 *
 * engine.io-protocol-v4.md § "Upgrade": the client opens a WebSocket with the session id and
 * sends `2probe`; we answer `3probe` and release any pending GET with a `6` noop; the client
 * then sends `5` and the WebSocket becomes the session's transport. Anything else on the probe
 * transport, its close, or the timeout abandons the upgrade (the session keeps polling).
 */
import type { SessionHandle, Transport } from "./transport.js";

/** What the probe reports to its session. */
export interface UpgradeEvents {
  /** The probe was answered: release the pending GET. */
  onProbed(): void;
  /** The client sent `5`: switch transports. */
  onUpgrade(): void;
  /** The upgrade was abandoned; the probe transport is already destroyed. */
  onFail(): void;
}

/** One upgrade attempt. */
export class UpgradeProbe {
  /** True once `2probe` was answered. */
  probed = false;
  #transport: Transport;
  #events: UpgradeEvents;
  #timer: NodeJS.Timeout | null;
  #settled = false;

  /**
   * @param transport the candidate transport (bound to this probe until settled)
   * @param timeoutMs upgradeTimeout
   * @param events the session's callbacks
   */
  constructor(transport: Transport, timeoutMs: number, events: UpgradeEvents) {
    this.#transport = transport;
    this.#events = events;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#fail();
    }, timeoutMs);
    const handle: SessionHandle = {
      onPacket: (packet) => {
        if (packet.type === "ping" && packet.data === "probe") {
          transport.send([{ type: "pong", data: "probe" }]);
          this.probed = true;
          events.onProbed();
        } else if (packet.type === "upgrade" && this.probed) {
          this.#settle();
          events.onUpgrade();
        } else {
          this.#fail();
        }
      },
      onDrain: () => {},
      onError: () => this.#fail(),
      onClose: () => this.#fail(),
    };
    transport.bind(handle);
  }

  /** Abandons the attempt (the session closed); idempotent. */
  abort(): void {
    if (this.#settled) return;
    this.#settle();
    this.#transport.destroy();
  }

  #settle(): void {
    this.#settled = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#transport.unbind();
  }

  #fail(): void {
    if (this.#settled) return;
    this.abort();
    this.#events.onFail();
  }
}
