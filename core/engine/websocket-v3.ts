/**
 * @module engine/websocket-v3 — Engine.IO v3 over WebSocket (socket.io v2 clients, `allowEIO3`).
 *
 * Text frames are the same as v4's (`<digit><data>`); a binary frame carries its packet type as
 * its first byte (`0x04` + bytes for a message), and a text frame may hold `b<digit><base64>`.
 * The v4 {@link WebSocketTransport} does the I/O, flow control and close; this subclass only
 * decodes inbound frames itself and prefixes outbound binary messages. A broadcast hands every
 * recipient the same Buffer: its prefixed copy is made once and shared by every v3 recipient.
 */
import type { Duplex } from "node:stream";
import type { RawData, WebSocket } from "ws";
import { createError } from "../errors.js";
import { isBinary } from "../parser/engine-packet.js";
import { decodePacketV3, encodePacketV3 } from "../parser/engine-packet-v3.js";
import type { OutboundPacket } from "./transport.js";
import { WebSocketTransport, type BatchCap } from "./websocket.js";

// the last binary message prefixed, and its prefixed copy (a broadcast's recipients share it)
let lastSource: unknown;
let lastPrefixed: Buffer | undefined;

function forget(): void {
  lastSource = undefined;
  lastPrefixed = undefined;
}

function prefixed(packet: OutboundPacket): OutboundPacket {
  const data = packet.data!;
  if (data !== lastSource || lastPrefixed === undefined) {
    // kept for this turn only: a Buffer the application reuses later may hold other bytes then
    if (lastSource === undefined) queueMicrotask(forget);
    lastPrefixed = encodePacketV3(packet, true) as Buffer;
    lastSource = data;
  }
  return packet.options === undefined ? { type: packet.type, data: lastPrefixed } : { type: packet.type, data: lastPrefixed, options: packet.options };
}

/** The v3 WebSocket transport of one session. */
export class WebSocketV3Transport extends WebSocketTransport {
  readonly #socket: WebSocket;

  /**
   * @param ws an open `ws` socket
   * @param maxPayload the limit `ws` enforces
   * @param perMessageDeflate whether compression was negotiated on the server
   * @param raw the upgraded connection under `ws`
   * @param batchCap how much one turn's batch may take (see {@link WebSocketTransport})
   */
  constructor(ws: WebSocket, maxPayload: number, perMessageDeflate: boolean, raw?: Duplex, batchCap?: BatchCap) {
    super(ws, maxPayload, perMessageDeflate, raw, batchCap);
    this.#socket = ws;
    // the v4 decoder reads a binary frame as a bare message: v3 frames are decoded here instead
    ws.removeAllListeners("message");
    ws.on("message", (data: RawData, binary: boolean) => this.#onMessage(data, binary));
  }

  #onMessage(data: RawData, binary: boolean): void {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const packet = decodePacketV3(binary ? buf : buf.toString("utf8"));
    if (packet === null) {
      const err = createError("SKT_ERR_ENGINE_PARSE", "undecodable WebSocket frame");
      // as in v4: the peer reads the error's close code (1002), not the 1006 of a dropped connection
      if (err.closeCode !== undefined && this.#socket.readyState === this.#socket.OPEN) this.#socket.close(err.closeCode);
      this.handle.onError(err);
      return;
    }
    this.handle.onPacket(packet);
  }

  override send(packets: readonly OutboundPacket[], done?: () => void): void {
    let out: OutboundPacket[] | undefined;
    for (let i = 0; i < packets.length; i++) {
      const d = packets[i]!.data;
      if (d !== undefined && typeof d !== "string" && isBinary(d)) {
        out ??= packets.slice();
        out[i] = prefixed(packets[i]!);
      }
    }
    super.send(out ?? packets, done);
  }
}
