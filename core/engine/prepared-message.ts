/**
 * @module engine/prepared-message — a message built once and sent to many sessions: the engine
 * owns the Engine.IO framing of a broadcast (`"4"` + the Socket.IO text) and the bytes the
 * WebSocket transport writes, so a broadcast costs one encoding, not one per recipient.
 *
 * Two ways in, one value out:
 * - `PreparedMessage.fromSocketIoText(text)`: what our adapters call once per broadcast;
 * - `PreparedMessage.fromFrame(frame)`: a complete WebSocket frame pre-built by a third-party
 *   adapter (socket.io-adapter's `wsPreEncodedFrame`, made with ws's `Sender.frame`).
 *
 * The WebSocket transport recognises the value (`instanceof`) in a packet's send options and
 * writes it as an uncompressed text frame: without perMessageDeflate, the header built once
 * here and the payload go straight to the upgraded socket (every recipient shares both
 * buffers); otherwise through ws's public `send`. Polling ignores it (it batches packets and
 * encodes them itself).
 */

// engine-io-protocol v4: a text "message" packet is "4" followed by its data
const MESSAGE_TYPE = "4";
const FIN_TEXT = 0x81;
// the largest payload copied behind its header into one buffer (see PreparedMessage#frame)
const MAX_COPIED = 16 * 1024;

/** One Engine.IO text message, prepared once for every WebSocket recipient. */
export class PreparedMessage {
  /** The Engine.IO packet as UTF-8 bytes (the WebSocket frame's payload). */
  readonly payload: Buffer;
  #header: Buffer | undefined;
  #frame: Buffer | undefined;

  private constructor(payload: Buffer, header?: Buffer) {
    this.payload = payload;
    this.#header = header;
  }

  /**
   * The RFC 6455 header of the unmasked, final, uncompressed text frame carrying `payload`
   * (built on first use, then shared by every recipient): the WebSocket transport writes it and
   * the payload straight to the socket when nothing else frames on that connection.
   */
  get header(): Buffer {
    return (this.#header ??= textFrameHeader(this.payload.length));
  }

  /**
   * The whole frame, header then payload, in one buffer (built on first use, then shared by every
   * recipient): one chunk per recipient's write instead of two. `undefined` for a payload over
   * 16 KiB, which is not copied (its header and payload are written as two chunks).
   */
  get frame(): Buffer | undefined {
    if (this.payload.length > MAX_COPIED) return undefined;
    return (this.#frame ??= Buffer.concat([this.header, this.payload]));
  }

  /**
   * Prepares the Engine.IO message carrying one Socket.IO text packet.
   *
   * @param text the Socket.IO-encoded packet (e.g. `2["tick",1]`)
   * @returns the prepared message
   */
  static fromSocketIoText(text: string): PreparedMessage {
    return new PreparedMessage(Buffer.from(MESSAGE_TYPE + text, "utf8"));
  }

  /**
   * Recognises a complete, unmasked, uncompressed, final text frame (header then payload, in one
   * or more buffers) and keeps its payload without copying when the payload is its own buffer.
   *
   * @param frame the buffers of the frame, as ws's `Sender.frame` returns them
   * @returns the prepared message, or `undefined` when `frame` is not such a frame (the caller
   *   then encodes the packet itself)
   */
  static fromFrame(frame: readonly unknown[]): PreparedMessage | undefined {
    if (frame.length === 0 || !frame.every((b) => Buffer.isBuffer(b))) return undefined;
    const parts = frame as readonly Buffer[];
    const head = parts[0]!.length >= 2 ? parts[0]! : Buffer.concat(parts);
    if (head[0] !== FIN_TEXT || (head[1]! & 0x80) !== 0) return undefined;
    let length = head[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (head.length < 4) return undefined;
      length = head.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (head.length < 10) return undefined;
      const big = head.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
      length = Number(big);
      offset = 10;
    }
    // ws's Sender.frame returns [header, payload]: the payload buffer is used as is
    if (parts.length === 2 && head === parts[0] && head.length === offset && parts[1]!.length === length) {
      return new PreparedMessage(parts[1]!, head);
    }
    const whole = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (whole.length !== offset + length) return undefined;
    return new PreparedMessage(whole.subarray(offset));
  }
}

/**
 * The header of a final, unmasked, uncompressed text frame (RFC 6455 §5.2): FIN + opcode 1, then
 * the payload length in 7 bits, or 126 + 16 bits, or 127 + 64 bits (most significant bit 0).
 *
 * @param length the payload's length in bytes
 * @returns 2, 4 or 10 bytes
 */
export function textFrameHeader(length: number): Buffer {
  if (length < 126) return Buffer.from([FIN_TEXT, length]);
  if (length < 0x10000) {
    const h = Buffer.allocUnsafe(4);
    h[0] = FIN_TEXT;
    h[1] = 126;
    h.writeUInt16BE(length, 2);
    return h;
  }
  const h = Buffer.allocUnsafe(10);
  h[0] = FIN_TEXT;
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  return h;
}

/**
 * One final, unmasked, uncompressed text frame in one buffer: the header (RFC 6455 §5.2), then an
 * Engine.IO text packet, its type digit followed by its data (what ws's `send` would write, in one
 * chunk instead of two, without an intermediate string).
 *
 * @param digit the packet type's character code (`"4"` is 0x34)
 * @param data the packet's data, or `undefined` for a bare type
 * @returns the frame
 */
export function textPacketFrame(digit: number, data: string | undefined): Buffer {
  const length = data === undefined ? 1 : 1 + Buffer.byteLength(data, "utf8");
  const head = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = FIN_TEXT;
  if (head === 2) {
    frame[1] = length;
  } else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    // a string's UTF-8 length stays far under 2^53: the high 32 bits first, then the low ones
    frame.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame[head] = digit;
  if (data !== undefined) frame.write(data, head + 1, "utf8");
  return frame;
}
