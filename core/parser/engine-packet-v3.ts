/**
 * @module parser/engine-packet-v3 — Engine.IO v3 packet and payload codec (socket.io v2 clients,
 * `allowEIO3`); pure functions, no I/O. The v4 codec lives in engine-packet.ts and is not touched.
 *
 * What differs from v4 (engine.io-protocol v3):
 * - a binary packet carries its type: over WebSocket a binary frame is `<type byte><bytes>`, and
 *   in text it is `b<type digit><base64>`;
 * - a polling payload is a list of length-prefixed packets, not `\x1e`-joined ones:
 *   - text payload: `<length>:<packet>` repeated, the length counted in UTF-16 code units;
 *   - binary payload (clients that take binary, `Content-Type: application/octet-stream`): per
 *     packet one marker byte (0 text, 1 binary), the length as decimal digits one byte each
 *     (0–9), a 0xff separator, then the packet (text as UTF-8, binary as type byte + bytes).
 * Every decoder refuses (returns `null`) instead of guessing: a length that is not a plain
 * decimal, that is zero or points past the end, a packet shorter than its length, invalid base64.
 */
import { isBinary, toBuffer, type DecodeResult, type EnginePacket, type EnginePacketType, PACKET_TYPES } from "./engine-packet.js";

const TYPE_BY_DIGIT: readonly EnginePacketType[] = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

// a length prefix longer than this many digits is longer than any body we accept (maxHttpBufferSize)
const MAX_LENGTH_DIGITS = 10;
// strict base64 (engine.io-client v3 writes padded standard base64)
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Encodes one v3 packet.
 *
 * @param packet the packet
 * @param supportsBinary true for WebSocket frames and binary payloads (binary stays binary, with
 *   its type byte first), false for text (`b<digit><base64>`)
 * @returns a string, or a Buffer for a binary packet when binary is supported
 * @example
 * encodePacketV3({ type: "message", data: Buffer.from([1]) }, false); // "b4AQ=="
 */
export function encodePacketV3(packet: EnginePacket, supportsBinary: boolean): string | Buffer {
  const { data } = packet;
  const digit = PACKET_TYPES[packet.type];
  if (data !== undefined && typeof data !== "string") {
    const buf = toBuffer(data);
    if (!supportsBinary) return "b" + digit + buf.toString("base64");
    const out = Buffer.allocUnsafe(buf.length + 1);
    out[0] = digit.charCodeAt(0) - 48;
    buf.copy(out, 1);
    return out;
  }
  return digit + (data ?? "");
}

/**
 * Decodes one v3 packet: a text packet (`<digit><data>` or `b<digit><base64>`) or a binary one
 * (`<type byte><bytes>`).
 *
 * @param input a string or a Buffer
 * @returns the packet, or `null` when the type is unknown, the input empty or the base64 invalid
 * @example
 * decodePacketV3(Buffer.from([4, 1, 2])); // { type: "message", data: <Buffer 01 02> }
 */
export function decodePacketV3(input: string | Buffer): DecodeResult {
  if (typeof input !== "string") {
    if (input.length === 0) return null;
    const type = TYPE_BY_DIGIT[input[0]!];
    if (type === undefined) return null;
    return { type, data: input.subarray(1) };
  }
  if (input.length === 0) return null;
  if (input.charCodeAt(0) === 98) {
    // 'b': base64 binary with its type digit first
    const type = TYPE_BY_DIGIT[input.charCodeAt(1) - 48];
    const b64 = input.slice(2);
    if (type === undefined || !BASE64.test(b64)) return null;
    return { type, data: Buffer.from(b64, "base64") };
  }
  const type = TYPE_BY_DIGIT[input.charCodeAt(0) - 48];
  if (type === undefined) return null;
  return input.length > 1 ? { type, data: input.slice(1) } : { type };
}

/** True when at least one packet carries binary data. */
function anyBinary(packets: readonly EnginePacket[]): boolean {
  for (let i = 0; i < packets.length; i++) {
    const d = packets[i]!.data;
    if (d !== undefined && typeof d !== "string" && isBinary(d)) return true;
  }
  return false;
}

/**
 * Encodes packets into one v3 polling payload.
 *
 * @param packets the packets, in order
 * @param supportsBinary whether the client takes binary payloads (no `b64=1` in its handshake)
 * @returns a text payload, or a Buffer (binary payload) when binary is supported and present
 * @example
 * encodePayloadV3([{ type: "message", data: "a" }, { type: "pong" }], true); // "2:4a1:3"
 */
export function encodePayloadV3(packets: readonly EnginePacket[], supportsBinary: boolean): string | Buffer {
  if (packets.length === 0) return "0:";
  if (supportsBinary && anyBinary(packets)) {
    const parts: Buffer[] = [];
    for (const packet of packets) {
      const encoded = encodePacketV3(packet, true);
      const body = typeof encoded === "string" ? Buffer.from(encoded, "utf8") : encoded;
      const digits = String(body.length);
      const head = Buffer.allocUnsafe(digits.length + 2);
      head[0] = typeof encoded === "string" ? 0 : 1;
      for (let i = 0; i < digits.length; i++) head[i + 1] = digits.charCodeAt(i) - 48;
      head[head.length - 1] = 255;
      parts.push(head, body);
    }
    return Buffer.concat(parts);
  }
  let out = "";
  for (const packet of packets) {
    const encoded = encodePacketV3(packet, false) as string;
    out += encoded.length + ":" + encoded;
  }
  return out;
}

/**
 * Decodes a v3 text payload (`<length>:<packet>` repeated).
 *
 * @param payload the body as text
 * @returns the packets, or `null` when any length or packet is malformed
 * @example
 * decodePayloadV3("2:4a6:2probe"); // [{ type: "message", data: "a" }, { type: "ping", data: "probe" }]
 */
export function decodePayloadV3(payload: string): EnginePacket[] | null {
  const out: EnginePacket[] = [];
  let i = 0;
  if (payload.length === 0) return null;
  while (i < payload.length) {
    let n = 0;
    let digits = 0;
    let c = payload.charCodeAt(i);
    while (c >= 48 && c <= 57) {
      if (++digits > MAX_LENGTH_DIGITS) return null;
      n = n * 10 + (c - 48);
      c = payload.charCodeAt(++i);
    }
    // no digits (e.g. "-1:" or ":"), no colon, or a zero length: the framing is broken
    if (digits === 0 || c !== 58 || n === 0) return null;
    i++;
    if (i + n > payload.length) return null;
    const packet = decodePacketV3(payload.slice(i, i + n));
    if (packet === null) return null;
    out.push(packet);
    i += n;
  }
  return out;
}

/**
 * Decodes a v3 binary payload (marker byte, decimal length digits, 0xff, packet; repeated).
 *
 * @param body the request body
 * @returns the packets, or `null` when any marker, length or packet is malformed
 * @example
 * decodeBinaryPayloadV3(Buffer.from([1, 3, 255, 4, 1, 2])); // [{ type: "message", data: <Buffer 01 02> }]
 */
export function decodeBinaryPayloadV3(body: Buffer): EnginePacket[] | null {
  const out: EnginePacket[] = [];
  let i = 0;
  if (body.length === 0) return null;
  while (i < body.length) {
    const marker = body[i++];
    if (marker !== 0 && marker !== 1) return null;
    let n = 0;
    let digits = 0;
    while (i < body.length && body[i] !== 255) {
      const d = body[i++]!;
      if (d > 9 || ++digits > MAX_LENGTH_DIGITS) return null;
      n = n * 10 + d;
    }
    if (digits === 0 || i >= body.length || n === 0) return null;
    i++;
    if (i + n > body.length) return null;
    const chunk = body.subarray(i, i + n);
    const packet = decodePacketV3(marker === 0 ? chunk.toString("utf8") : chunk);
    if (packet === null) return null;
    out.push(packet);
    i += n;
  }
  return out;
}
