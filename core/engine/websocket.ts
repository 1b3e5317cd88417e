/**
 * @module engine/websocket — WebSocket transport over a `ws` socket (public API only).
 *
 * Text packets travel as text frames (`<digit><data>`), binary messages as binary frames
 * (engine.io-protocol-v4.md § "WebSocket"). Flow control follows engine.io: the transport is
 * writable again only after the `ws.send` callback of the last frame of a batch.
 */
import type { Duplex } from "node:stream";
import { WebSocket, type RawData } from "ws";
import { createError, createErrorWithCause, type SocketeerError } from "../errors.js";
import { PACKET_TYPES, decodePacket, encodePacket, type EnginePacketType } from "../parser/engine-packet.js";
import { PreparedMessage, textPacketFrame } from "./prepared-message.js";
import { Transport, type OutboundPacket, type SendOptions } from "./transport.js";
import { compactListenerTable } from "../util/listener-table.js";
import { withBit } from "../util/bits.js";

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

// each packet type's digit as a character code (the first byte of a text frame's payload)
const TYPE_CODES = Object.fromEntries(Object.entries(PACKET_TYPES).map(([type, digit]) => [type, digit.charCodeAt(0)])) as Readonly<Record<EnginePacketType, number>>;

/** How much one turn's batch may hold (see the constructor). */
export interface BatchCap {
  readonly items: number;
  readonly bytes: number;
}
const NO_BATCH: BatchCap = Object.freeze({ items: 0, bytes: 0 });

/** The engine's limits a transport reads: its batch caps and `maxPayload`. */
interface Limits extends BatchCap {
  readonly maxPayload: number;
}
// one Limits per engine (its BatchCap object is made once per engine)
const limitsByCap = new WeakMap<BatchCap, Limits>();

function limitsOf(cap: BatchCap, maxPayload: number): Limits {
  let limits = limitsByCap.get(cap);
  if (limits === undefined || limits.maxPayload !== maxPayload) {
    limits = Object.freeze({ items: cap.items, bytes: cap.bytes, maxPayload });
    limitsByCap.set(cap, limits);
  }
  return limits;
}

// the bits of WebSocketTransport#state
const DEFLATE = 1;
const CLOSED = 2;
const CLOSING = 4;
const FRAMES_DIRECT = 8;
const CORKED = 16;
const BATCH_CB = 32;
// from this bit on: the count of sends whose callback is awaited (see #pending)
const PENDING_SHIFT = 6;
const FLAGS_MASK = (1 << PENDING_SHIFT) - 1;

const kTransport = Symbol("socketeer.engine.wsTransport");
type TaggedWebSocket = WebSocket & { [kTransport]: WebSocketTransport };


/** The WebSocket transport of one session. */
export class WebSocketTransport extends Transport {
  #ws: WebSocket;
  #done: (() => void)[] | undefined = undefined;
  // the flags below (DEFLATE…BATCH_CB) and the count of awaited send callbacks in one small
  // integer (issue 18: heap per idle connection)
  #state = 0;
  // the engine's limits, shared by its transports: maxPayload and the batch caps
  readonly #limits: Limits;
  #raw: Duplex | undefined;
  #batchItems = 0;
  // the batch's frames not yet handed to the socket, and their length
  #held: Buffer[] | undefined;
  #heldBytes = 0;

  /** `"websocket"`. */
  get name(): "websocket" {
    return "websocket";
  }

  // the sends (a batch, or a call outside one) whose callback has not come yet: a few at most, as
  // the session sends again only once the transport is writable or its batch is open
  get #pending(): number {
    return this.#state >>> PENDING_SHIFT;
  }

  set #pending(value: number) {
    this.#state = (this.#state & FLAGS_MASK) | (value > 0 ? value << PENDING_SHIFT : 0);
  }

  // whether permessage-deflate was negotiated on the server
  get #compress(): boolean {
    return (this.#state & DEFLATE) !== 0;
  }

  get #closed(): boolean {
    return (this.#state & CLOSED) !== 0;
  }

  set #closed(value: boolean) {
    this.#state = withBit(this.#state, CLOSED, value);
  }

  get #closing(): boolean {
    return (this.#state & CLOSING) !== 0;
  }

  set #closing(value: boolean) {
    this.#state = withBit(this.#state, CLOSING, value);
  }

  // whether a prepared frame may be written straight to #raw (see send)
  get #framesDirect(): boolean {
    return (this.#state & FRAMES_DIRECT) !== 0;
  }

  // this turn's batch: #raw corked from its first write to the end of the turn (see send)
  get #corked(): boolean {
    return (this.#state & CORKED) !== 0;
  }

  set #corked(value: boolean) {
    this.#state = withBit(this.#state, CORKED, value);
  }

  // whether the batch's send callback is still to be attached to one of its writes
  get #batchCb(): boolean {
    return (this.#state & BATCH_CB) !== 0;
  }

  set #batchCb(value: boolean) {
    this.#state = withBit(this.#state, BATCH_CB, value);
  }

  /**
   * @param ws an open `ws` socket
   * @param maxPayload the limit `ws` enforces (reported in the 1009 error)
   * @param perMessageDeflate whether compression was negotiated on the server
   * @param raw the upgraded connection under `ws`: corked from the first write of an event-loop
   *   turn to its end, so that the turn's frames leave in one write (same frames, same bytes)
   * @param batchCap how much one turn's batch may take before the session buffers again (its
   *   `maxBufferedPackets` / `maxBufferedBytes`: the slow-consumer caps also bound a batch)
   */
  constructor(ws: WebSocket, maxPayload: number, perMessageDeflate: boolean, raw?: Duplex, batchCap: BatchCap = NO_BATCH) {
    super();
    this.#raw = raw;
    // only under ws's own WebSocket (a custom wsEngine may not write through this socket), and
    // without perMessageDeflate (ws queues frames only while it compresses)
    if (raw !== undefined && !perMessageDeflate && ws instanceof WebSocket) this.#state |= FRAMES_DIRECT;
    if (perMessageDeflate) this.#state |= DEFLATE;
    this.#limits = limitsOf(batchCap, maxPayload);
    this.#ws = ws;
    this.writable = true;
    // listeners without a closure per connection: each finds its transport through the ws object
    (ws as TaggedWebSocket)[kTransport] = this;
    // ws's WebSocket starts with Node's dictionary-mode listener table (≈ 220 bytes once three
    // listeners are in); the compact one holds them in ≈ 50 (issue 18: heap per idle connection)
    compactListenerTable(ws);
    ws.on("message", WebSocketTransport.#wsOnMessage);
    ws.on("close", WebSocketTransport.#wsOnClose); // ws emits it once; `on` spares a once-wrapper per connection
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
      this.#flushHeld();
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
        ? createErrorWithCause("SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE", err, this.#limits.maxPayload)
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

  /** The end of the event-loop turn: every batch leaves, every transport written to drains. */
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
    const last = packets.length - 1;
    if (last < 0) return;
    const socket = this.#raw !== undefined && !this.#raw.destroyed ? this.#raw : undefined;
    // the drain is queued at the write, before whatever the application schedules after it
    let first = true;
    if (!this.gathering) {
      this.gathering = true;
      drainQueue.push(this);
      if (!drainScheduled) {
        drainScheduled = true;
        runAtTurnEnd(WebSocketTransport.#turnOnEnd);
      }
      // The batch of this turn (issue 18: one write per socket and turn): the socket stays corked
      // until the turn ends and the session writes straight into it meanwhile (`batching`).
      if (socket !== undefined && this.#framesDirect && this.#limits.items > 0) {
        socket.cork();
        this.#corked = true;
        this.#batchItems = 0;
        this.batching = true;
      }
    } else if (this.#corked) {
      first = false;
    }
    // ws writes frames in order and a corked batch leaves in one write: one callback per batch
    // (on its first write: every write of the batch completes with the one writev at its end),
    // otherwise on the last frame of each call; a closure per batch is cheaper than one kept
    // alive per connection
    if (first) {
      this.#pending++;
      this.#batchCb = this.#corked;
    }
    const corked = this.#corked;
    // A broadcast's prepared frame goes straight to the socket (issue 18: framed once, not per
    // recipient) when ws cannot have a frame half-written or queued there (#framesDirect) and
    // the WebSocket is still open (no data frame may follow a Close frame, RFC 6455 §5.5.1).
    const direct = socket !== undefined && this.#framesDirect && this.#ws.readyState === WebSocket.OPEN ? socket : undefined;
    // outside a batch: several frames (packets queued while the previous write was in flight),
    // or a prepared frame's header and payload, leave in one write
    const raw = !corked && (last > 0 || direct !== undefined) ? socket : undefined;
    raw?.cork();
    const cbAt = !first || corked ? -1 : last;
    for (let i = 0; i <= last; i++) {
      const packet = packets[i]!;
      const opts = packet.options;
      const compress = this.#compress && opts?.compress !== false;
      const prepared = opts === undefined ? undefined : preparedOf(opts);
      let data: string | Buffer | ArrayBuffer | ArrayBufferView;
      let frameOpts: { readonly compress: boolean; readonly binary?: boolean };
      let frame: Buffer | undefined;
      if (direct !== undefined) {
        const text = packet.data;
        if (prepared !== undefined) {
          frame = prepared.frame;
          if (frame === undefined) {
            // a large payload: header and payload as they are, after what is held
            this.#flushHeld();
            this.#writeDirect(direct, prepared.header, false);
            this.#writeDirect(direct, prepared.payload, i === cbAt);
            continue;
          }
        } else if (opts?.wsPreEncoded === undefined && (text === undefined || typeof text === "string")) {
          // a text packet framed here, in one buffer (what ws.send would write, in one chunk)
          frame = textPacketFrame(TYPE_CODES[packet.type], text);
        }
      }
      if (frame !== undefined) {
        if (corked) {
          // held until the batch leaves: the turn's frames go to the socket as one buffer
          (this.#held ??= []).push(frame);
          this.#heldBytes += frame.length;
        } else {
          this.#writeDirect(direct!, frame, i === cbAt);
        }
        continue;
      }
      // through ws (binary, wsPreEncoded, perMessageDeflate, or not open): after what is held
      this.#flushHeld();
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
      if (i === cbAt || this.#batchCb) {
        this.#batchCb = false;
        this.#ws.send(data, frameOpts, (err?: Error) => this.#onSent(err));
      } else {
        this.#ws.send(data, frameOpts);
      }
    }
    raw?.uncork();
    if (corked) {
      this.#batchItems += packets.length;
      // past the session's caps, what follows waits in its buffer (bounded) for the next drain
      if (this.#batchItems >= this.#limits.items || this.#heldBytes + socket!.writableLength >= this.#limits.bytes) this.batching = false;
    }
  }

  /** Writes bytes to the socket, with the send callback when `cb` or when the batch still needs it. */
  #writeDirect(socket: Duplex, bytes: Buffer, cb: boolean): void {
    if (cb || this.#batchCb) {
      this.#batchCb = false;
      socket.write(bytes, (err?: Error | null) => this.#onSent(err ?? undefined));
    } else {
      socket.write(bytes);
    }
  }

  /** Hands the frames held in this batch to the (corked) socket, as one buffer. */
  #flushHeld(): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    const bytes = held.length === 1 ? held[0]! : Buffer.concat(held, this.#heldBytes);
    this.#heldBytes = 0;
    const socket = this.#raw!;
    if (!socket.destroyed && this.#ws.readyState === WebSocket.OPEN) {
      this.#writeDirect(socket, bytes, false);
    } else if (this.#batchCb) {
      // nothing may follow a Close frame: the batch is dropped, as ws.send drops it then
      this.#batchCb = false;
      this.#pending--;
    }
  }

  /** Sends this turn's batch: its frames leave the socket in one write. */
  #release(): void {
    this.batching = false;
    if (!this.#corked) return;
    this.#flushHeld();
    this.#corked = false;
    if (this.#batchCb) {
      // the batch wrote nothing (its frames were dropped): it is done
      this.#batchCb = false;
      this.#pending--;
    }
    this.#raw!.uncork();
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
    this.#release();
    this.gathering = false;
    if (this.#pending > 0 || this.#closed) return;
    this.handle.onDrain();
  }

  close(fn: () => void): void {
    if (!this.#closed && !this.#closing) {
      this.#closing = true;
      // this turn's frames first: nothing may follow the Close frame
      this.#flushHeld();
      this.#ws.close();
    }
    fn();
  }

  destroy(): void {
    // what the application wrote this turn still leaves, as it would have without the batch
    this.#release();
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
