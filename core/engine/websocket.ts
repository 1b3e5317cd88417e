/**
 * @module engine/websocket — WebSocket transport over a `ws` socket (public API only).
 *
 * Text packets travel as text frames (`<digit><data>`), binary messages as binary frames
 * (engine.io-protocol-v4.md § "WebSocket"). Flow control follows engine.io: the transport is
 * writable again only after the `ws.send` callback of the last frame of a batch.
 */
import type { Duplex } from "node:stream";
import type { WebSocket, RawData } from "ws";
import { createError, createErrorWithCause, type SocketeerError } from "../errors.js";
import { decodePacket, encodePacket } from "../parser/engine-packet.js";
import { PreparedMessage } from "./prepared-message.js";
import { Transport, type OutboundPacket, type SendOptions } from "./transport.js";

// shared per-frame option objects: one allocation less per packet on the hot path
const COMPRESS = Object.freeze({ compress: true });
const NO_COMPRESS = Object.freeze({ compress: false });
// a pre-encoded text frame handed over as bytes: `binary: false` keeps it a text frame
const TEXT_COMPRESS = Object.freeze({ compress: true, binary: false });
const TEXT_NO_COMPRESS = Object.freeze({ compress: false, binary: false });

// Drains deferred to the end of the event-loop turn: packets written to a socket while its previous
// write was in flight wait in the session's buffer and leave together, in one write, once the
// turn's I/O callbacks have run (e.g. several publishers' messages read in one poll phase).
// The timer function is captured at load so that mocked timers in tests cannot stall a drain.
const runAtTurnEnd = globalThis.setImmediate;
let drainQueue: WebSocketTransport[] = [];
let drainScheduled = false;

const kTransport = Symbol("socketeer.engine.wsTransport");
type TaggedWebSocket = WebSocket & { [kTransport]: WebSocketTransport };


/** The WebSocket transport of one session. */
export class WebSocketTransport extends Transport {
  readonly name = "websocket" as const;
  #ws: WebSocket;
  #pending = 0;
  #done: (() => void)[] | undefined = undefined;
  #compress: boolean;
  #closed = false;
  #closing = false;
  #maxPayload: number;
  #raw: Duplex | undefined;

  /**
   * @param ws an open `ws` socket
   * @param maxPayload the limit `ws` enforces (reported in the 1009 error)
   * @param perMessageDeflate whether compression was negotiated on the server
   * @param raw the upgraded connection under `ws`: corked while a batch of frames is written,
   *   so that the batch leaves in one write (same frames, same bytes)
   */
  constructor(ws: WebSocket, maxPayload: number, perMessageDeflate: boolean, raw?: Duplex) {
    super();
    this.#raw = raw;
    this.#ws = ws;
    this.#compress = perMessageDeflate;
    this.writable = true;
    this.#maxPayload = maxPayload;
    // listeners without a closure per connection: each finds its transport through the ws object
    (ws as TaggedWebSocket)[kTransport] = this;
    ws.on("message", WebSocketTransport.#wsOnMessage);
    ws.once("close", WebSocketTransport.#wsOnClose);
    ws.on("error", WebSocketTransport.#wsOnError);
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    const packet = isBinary ? decodePacket(toBuffer(data)) : decodePacket(toBuffer(data).toString("utf8"));
    if (packet === null) {
      this.#fail(createError("SKT_ERR_ENGINE_PARSE", "undecodable WebSocket frame"));
      return;
    }
    this.handle.onPacket(packet);
  }

  /**
   * Reports `err` to the session, first starting the closing handshake with the error's
   * `closeCode` when it has one: the peer then reads that code (1002 for an undecodable frame)
   * instead of the 1006 of a dropped connection when the session destroys this transport.
   */
  #fail(err: SocketeerError): void {
    if (err.closeCode !== undefined && !this.#closed && !this.#closing) {
      this.#closing = true;
      this.#ws.close(err.closeCode);
    }
    this.handle.onError(err);
  }

  #onClose(): void {
    this.#closed = true;
    this.writable = false;
    this.handle.onClose();
  }

  #onError(err: Error & { code?: string }): void {
    // ws reports a message over maxPayload this way, then closes with 1009
    const mapped =
      err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"
        ? createErrorWithCause("SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE", err, this.#maxPayload)
        : createErrorWithCause("SKT_ERR_ENGINE_TRANSPORT", err, err.message);
    this.handle.onError(mapped);
  }

  // The listeners (docs/CONTRIBUTING.md, "Listeners"): static, no closure, the owner found
  // through a symbol on the emitter.
  static #wsOnMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    (this as TaggedWebSocket)[kTransport].#onMessage(data, isBinary);
  }

  static #wsOnClose(this: WebSocket): void {
    (this as TaggedWebSocket)[kTransport].#onClose();
  }

  static #wsOnError(this: WebSocket, err: Error & { code?: string }): void {
    (this as TaggedWebSocket)[kTransport].#onError(err);
  }

  /** The end of the event-loop turn: every transport written to during it drains. */
  static #turnOnEnd(): void {
    const queue = drainQueue;
    drainQueue = [];
    drainScheduled = false;
    for (let i = 0; i < queue.length; i++) queue[i]!.#drained();
  }

  send(packets: readonly OutboundPacket[], done?: () => void): void {
    if (this.#closed) return;
    this.writable = false;
    if (done !== undefined) (this.#done ??= []).push(done);
    // ws writes frames in order: only the last frame of a batch needs a callback, and a
    // closure per batch is cheaper than one kept alive per connection (heap per idle connection)
    const last = packets.length - 1;
    if (last < 0) return;
    this.#pending++;
    // the drain is queued at the write, before whatever the application schedules after it
    if (!this.gathering) {
      this.gathering = true;
      drainQueue.push(this);
      if (!drainScheduled) {
        drainScheduled = true;
        runAtTurnEnd(WebSocketTransport.#turnOnEnd);
      }
    }
    // several frames (packets queued while the previous write was in flight): one write for all
    const raw = last > 0 && this.#raw !== undefined && !this.#raw.destroyed ? this.#raw : undefined;
    raw?.cork();
    for (let i = 0; i <= last; i++) {
      const packet = packets[i]!;
      const opts = packet.options;
      const compress = this.#compress && opts?.compress !== false;
      const prepared = opts === undefined ? undefined : preparedOf(opts);
      let data: string | Buffer | ArrayBuffer | ArrayBufferView;
      let frameOpts: { readonly compress: boolean; readonly binary?: boolean };
      if (prepared !== undefined) {
        data = prepared.payload;
        // a frame built by the adapter is written as built: uncompressed (rsv1 clear)
        frameOpts = compress && opts!.wsPreEncodedFrame === undefined ? TEXT_COMPRESS : TEXT_NO_COMPRESS;
      } else if (opts?.wsPreEncoded !== undefined) {
        data = opts.wsPreEncoded;
        frameOpts = compress ? COMPRESS : NO_COMPRESS;
      } else {
        data = encodePacket(packet, true);
        frameOpts = compress ? COMPRESS : NO_COMPRESS;
      }
      if (i === last) this.#ws.send(data, frameOpts, (err?: Error) => this.#onSent(err));
      else this.#ws.send(data, frameOpts);
    }
    raw?.uncork();
  }

  #onSent(err?: Error): void {
    this.#pending--;
    if (err !== undefined && err !== null) return; // the socket is closing; "close" follows
    if (this.#pending > 0 || this.#closed) return;
    this.writable = true;
    const done = this.#done;
    if (done !== undefined && done.length > 0) {
      this.#done = undefined;
      for (const fn of done) fn();
    }
    // writable again (a volatile packet is accepted); while the turn of the last write lasts,
    // what the session writes is gathered in its buffer and leaves in one write at the drain
    if (!this.gathering) this.handle.onDrain();
  }

  #drained(): void {
    this.gathering = false;
    if (this.#pending > 0 || this.#closed) return;
    this.handle.onDrain();
  }

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

/** The prepared message of a packet's options: ours, or one made from an adapter's pre-built frame. */
function preparedOf(opts: SendOptions): PreparedMessage | undefined {
  if (opts.prepared !== undefined) return opts.prepared;
  const frame = opts.wsPreEncodedFrame;
  return frame === undefined ? undefined : PreparedMessage.fromFrame(frame);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
