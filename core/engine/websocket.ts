/**
 * @module engine/websocket — WebSocket transport over a `ws` socket (public API only).
 *
 * Text packets travel as text frames (`<digit><data>`), binary messages as binary frames
 * (engine.io-protocol-v4.md § "WebSocket"). Flow control follows engine.io: the transport is
 * writable again only after the `ws.send` callback of the last frame of a batch.
 */
import type { WebSocket, RawData } from "ws";
import { createError, createErrorWithCause } from "../errors.js";
import { decodePacket, encodePacket } from "../parser/engine-packet.js";
import { Transport, type OutboundPacket } from "./transport.js";

// shared per-frame option objects: one allocation less per packet on the hot path
const COMPRESS = Object.freeze({ compress: true });
const NO_COMPRESS = Object.freeze({ compress: false });

/** The WebSocket transport of one session. */
export class WebSocketTransport extends Transport {
  readonly name = "websocket" as const;
  #ws: WebSocket;
  #pending = 0;
  #done: (() => void)[] = [];
  #compress: boolean;
  #closed = false;
  #closing = false;

  /**
   * @param ws an open `ws` socket
   * @param maxPayload the limit `ws` enforces (reported in the 1009 error)
   * @param perMessageDeflate whether compression was negotiated on the server
   */
  constructor(ws: WebSocket, maxPayload: number, perMessageDeflate: boolean) {
    super();
    this.#ws = ws;
    this.#compress = perMessageDeflate;
    this.writable = true;
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const packet = isBinary ? decodePacket(toBuffer(data)) : decodePacket(toBuffer(data).toString("utf8"));
      if (packet === null) {
        this.handle.onError(createError("SKT_ERR_ENGINE_PARSE", "undecodable WebSocket frame"));
        return;
      }
      this.handle.onPacket(packet);
    });
    ws.once("close", () => {
      this.#closed = true;
      this.writable = false;
      this.handle.onClose();
    });
    ws.on("error", (err: Error & { code?: string }) => {
      // ws reports a message over maxPayload this way, then closes with 1009
      const mapped =
        err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"
          ? createErrorWithCause("SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE", err, maxPayload)
          : createErrorWithCause("SKT_ERR_ENGINE_TRANSPORT", err, err.message);
      this.handle.onError(mapped);
    });
  }

  send(packets: readonly OutboundPacket[], done?: () => void): void {
    if (this.#closed) return;
    this.writable = false;
    if (done !== undefined) this.#done.push(done);
    for (const packet of packets) {
      const opts = packet.options;
      const data = opts?.wsPreEncoded ?? encodePacket(packet, true);
      this.#pending++;
      this.#ws.send(data, this.#compress && opts?.compress !== false ? COMPRESS : NO_COMPRESS, this.#onSent);
    }
  }

  #onSent = (err?: Error): void => {
    this.#pending--;
    if (err !== undefined && err !== null) return; // the socket is closing; "close" follows
    if (this.#pending > 0 || this.#closed) return;
    this.writable = true;
    const done = this.#done;
    if (done.length > 0) {
      this.#done = [];
      for (const fn of done) fn();
    }
    this.handle.onDrain();
  };

  close(fn: () => void): void {
    if (!this.#closed && !this.#closing) {
      this.#closing = true;
      this.#ws.close();
    }
    fn();
  }

  destroy(): void {
    this.writable = false;
    this.unbind();
    // after a graceful close, or when ws is already closing (e.g. 1009 after an oversize
    // message), let the closing handshake finish so the close code reaches the peer; ws bounds it
    if (!this.#closed && !this.#closing && this.#ws.readyState !== this.#ws.CLOSING) {
      this.#closed = true;
      this.#ws.terminate();
    }
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
