/**
 * @module parser/engine-packet — Engine.IO v4 packet and payload codec; pure functions, no I/O.
 *
 * Wire format: engine.io-protocol-v4.md § "Packet encoding". A packet is one type digit
 * (`0` open … `6` noop) followed by its data. Over HTTP long-polling several packets form a
 * payload joined by the record separator `\x1e`, and binary packets are written `b` + base64.
 * Over WebSocket, binary packets travel as binary frames with no type prefix.
 */

/** The Engine.IO v4 packet types, by name. */
export type EnginePacketType = "open" | "close" | "ping" | "pong" | "message" | "upgrade" | "noop";

/** Packet type name → wire digit. */
export const PACKET_TYPES = Object.freeze({
  open: "0",
  close: "1",
  ping: "2",
  pong: "3",
  message: "4",
  upgrade: "5",
  noop: "6",
} as const satisfies Record<EnginePacketType, string>);

const TYPE_BY_DIGIT: readonly EnginePacketType[] = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

/** The record separator between packets of a polling payload (spec § "HTTP long-polling"). */
export const RECORD_SEPARATOR = "\x1e";

/** Binary data as accepted by the encoder. */
export type BinaryData = Buffer | ArrayBuffer | ArrayBufferView;

/** One Engine.IO packet. `data` is a string for text and a Buffer for binary (after decoding). */
export interface EnginePacket {
  readonly type: EnginePacketType;
  readonly data?: string | BinaryData;
}

/** Result of decoding: a packet, or `null` when the input is not a valid packet. */
export type DecodeResult = EnginePacket | null;

/** Converts any accepted binary value to a Buffer without copying when possible. */
export function toBuffer(data: BinaryData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** True when `data` is binary (Buffer, ArrayBuffer or a typed-array view). */
export function isBinary(data: unknown): data is BinaryData {
  return Buffer.isBuffer(data) || data instanceof ArrayBuffer || ArrayBuffer.isView(data);
}

/**
 * Encodes one packet.
 *
 * @param packet the packet to encode
 * @param supportsBinary true for WebSocket frames (binary stays binary), false for polling
 *   payloads (binary becomes `b` + base64)
 * @returns a string, or a Buffer for a binary message on a binary-capable transport
 * @example
 * encodePacket({ type: "message", data: "hi" }, true); // "4hi"
 */
export function encodePacket(packet: EnginePacket, supportsBinary: boolean): string | Buffer {
  const { data } = packet;
  if (data !== undefined && typeof data !== "string") {
    const buf = toBuffer(data);
    return supportsBinary ? buf : "b" + buf.toString("base64");
  }
  return PACKET_TYPES[packet.type] + (data ?? "");
}

/**
 * Decodes one packet: a text frame / payload segment, or a binary WebSocket frame.
 *
 * @param input a string (`<digit><data>` or `b<base64>`) or a Buffer (a binary message)
 * @returns the packet, or `null` when the type is unknown or the input is empty
 * @example
 * decodePacket("4hello"); // { type: "message", data: "hello" }
 */
export function decodePacket(input: string | Buffer): DecodeResult {
  if (typeof input !== "string") return { type: "message", data: input };
  if (input.length === 0) return null;
  const first = input.charCodeAt(0);
  // 'b': a base64-encoded binary message (spec § "HTTP long-polling" packet encoding)
  if (first === 98) return { type: "message", data: Buffer.from(input.slice(1), "base64") };
  const type = TYPE_BY_DIGIT[first - 48];
  if (type === undefined) return null;
  return input.length > 1 ? { type, data: input.slice(1) } : { type };
}

/**
 * Encodes packets into one polling payload (binary as `b` + base64, joined by `\x1e`).
 *
 * @param packets the packets, in order
 * @returns the payload text
 * @example
 * encodePayload([{ type: "message", data: "a" }, { type: "ping" }]); // "4a\x1e2"
 */
export function encodePayload(packets: readonly EnginePacket[]): string {
  let out = "";
  for (let i = 0; i < packets.length; i++) {
    if (i > 0) out += RECORD_SEPARATOR;
    out += encodePacket(packets[i]!, false) as string;
  }
  return out;
}

/**
 * Decodes a polling payload.
 *
 * @param payload the request body, as text
 * @returns the packets, or `null` if any segment is not a valid packet
 * @example
 * decodePayload("4a\x1e4b"); // [{ type: "message", data: "a" }, { type: "message", data: "b" }]
 */
export function decodePayload(payload: string): EnginePacket[] | null {
  const out: EnginePacket[] = [];
  for (const segment of payload.split(RECORD_SEPARATOR)) {
    const packet = decodePacket(segment);
    if (packet === null) return null;
    out.push(packet);
  }
  return out;
}

/** The number of bytes a packet's data occupies on the wire (for buffer accounting). */
export function packetByteLength(packet: EnginePacket): number {
  const { data } = packet;
  if (data === undefined) return 1;
  if (typeof data === "string") return 1 + Buffer.byteLength(data);
  return isBinary(data) ? data.byteLength : 1;
}
