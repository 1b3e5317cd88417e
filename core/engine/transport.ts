/**
 * @module engine/transport — the Transport contract between a session and its polling/WebSocket carrier.
 *
 * A transport moves packets; it knows nothing about heartbeats or buffering. It reports to
 * whoever is bound to it through a {@link SessionHandle} (no events on the hot path), and is
 * `writable` when a `send` would go out at once.
 */
import type { EnginePacket } from "../parser/engine-packet.js";
import type { SocketeerError } from "../errors.js";
import type { TransportName } from "./constants.js";
import type { PreparedMessage } from "./prepared-message.js";
import { withBit } from "../util/bits.js";

/** Per-packet send options (`socket.send(data, opts)`). */
export interface SendOptions {
  /** Compress this packet (permessage-deflate / HTTP compression) when enabled. @default true */
  compress?: boolean;
  /** Drop the packet instead of buffering it when the transport is not writable. @default false */
  volatile?: boolean;
  /**
   * The message prepared once for every WebSocket recipient of a broadcast (see
   * {@link PreparedMessage}); the WebSocket transport sends its bytes, polling ignores it.
   */
  prepared?: PreparedMessage;
  /**
   * engine.io's option: the packet already encoded as an Engine.IO text message (e.g. `"4…"`),
   * sent as-is by the WebSocket transport. Ignored by polling.
   */
  wsPreEncoded?: string;
  /**
   * engine.io's option: a complete WebSocket frame (header and payload buffers) built once by a
   * socket.io adapter with ws's `Sender.frame`; the WebSocket transport writes its bytes.
   * Ignored by polling.
   */
  wsPreEncodedFrame?: readonly Buffer[];
}

/** A packet on its way out, with its options. */
export interface OutboundPacket extends EnginePacket {
  readonly options?: SendOptions | undefined;
}

/** What a transport may call on the session (or upgrade probe) it is bound to. */
export interface SessionHandle {
  /** A packet arrived. */
  onPacket(packet: EnginePacket): void;
  /** The transport became writable. */
  onDrain(): void;
  /** The transport failed (reason "transport error", or "parse error" for SKT_ERR_ENGINE_PARSE). */
  onError(err: SocketeerError): void;
  /** The peer closed the transport (reason "transport close"). */
  onClose(): void;
}

const NOOP_HANDLE: SessionHandle = {
  onPacket() {},
  onDrain() {},
  onError() {},
  onClose() {},
};

const WRITABLE = 1;
const GATHERING = 2;
const BATCHING = 4;
const DISCARDED = 8;

/** Base of the polling and WebSocket transports. */
export abstract class Transport {
  /** `"polling"` or `"websocket"`. */
  abstract readonly name: TransportName;
  // writable, gathering, batching, discarded: one small integer instead of four fields (issue
  // 18: heap per idle connection)
  #flags = 0;

  /** Whether a `send` goes out at once. */
  get writable(): boolean {
    return (this.#flags & WRITABLE) !== 0;
  }

  set writable(value: boolean) {
    this.#flags = withBit(this.#flags, WRITABLE, value);
  }

  /**
   * True while the transport gathers the session's writes until the end of the event-loop turn
   * (it is writable, but the session buffers and flushes on the next `onDrain`).
   */
  get gathering(): boolean {
    return (this.#flags & GATHERING) !== 0;
  }

  set gathering(value: boolean) {
    this.#flags = withBit(this.#flags, GATHERING, value);
  }

  /**
   * True while the transport holds this turn's batch open (WebSocket: its socket corked until the
   * end of the event-loop turn): the session may send again at once, although `writable` is false
   * (a volatile packet is still dropped); the batch leaves in one write at the end of the turn.
   */
  get batching(): boolean {
    return (this.#flags & BATCHING) !== 0;
  }

  set batching(value: boolean) {
    this.#flags = withBit(this.#flags, BATCHING, value);
  }

  /** Set once the transport was replaced by an upgrade. */
  get discarded(): boolean {
    return (this.#flags & DISCARDED) !== 0;
  }

  set discarded(value: boolean) {
    this.#flags = withBit(this.#flags, DISCARDED, value);
  }

  /** The session (or probe) receiving this transport's reports. */
  protected handle: SessionHandle = NOOP_HANDLE;

  /**
   * Routes this transport's reports to `handle`.
   *
   * @param handle the receiver; replaces any previous one
   */
  bind(handle: SessionHandle): void {
    this.handle = handle;
  }

  /** Stops reporting to anyone. */
  unbind(): void {
    this.handle = NOOP_HANDLE;
  }

  /** Marks the transport as replaced by an upgrade. */
  discard(): void {
    this.discarded = true;
  }

  /**
   * Sends packets; only called while `writable`.
   *
   * @param packets the packets, in order
   * @param done called once they have been handed to the OS
   */
  abstract send(packets: readonly OutboundPacket[], done?: () => void): void;

  /**
   * Closes gracefully (polling: a close packet on the next GET; WebSocket: a close frame).
   *
   * @param fn called once closed
   */
  abstract close(fn: () => void): void;

  /** Releases everything at once (no timer or socket left); safe to call twice. */
  abstract destroy(): void;
}
