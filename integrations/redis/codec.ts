/**
 * @module redis/codec — bytes ↔ values on the Redis wire, as `@socket.io/redis-adapter` 8.x
 * encodes them: MessagePack through `notepack.io` (the library socket.io's adapter and emitter
 * use, so both sides produce and read the same bytes), or the user's `parser`.
 *
 * socket.io's nodes send some requests and responses as JSON text; a message whose first byte is
 * `{` (0x7b) is therefore read as JSON. No MessagePack value of the shapes exchanged starts with
 * 0x7b (a map starts with 0x80–0x8f, 0xde or 0xdf; an array with 0x90–0x9f, 0xdc or 0xdd).
 */
import * as notepack from "notepack.io";
import { createErrorWithCause } from "./core.js";

/** An encoder/decoder pair, the `parser` option of `@socket.io/redis-adapter`. */
export interface Parser {
  encode(value: unknown): unknown;
  decode(bytes: Buffer): unknown;
}

/** MessagePack, byte-compatible with `@socket.io/redis-adapter` and `@socket.io/redis-emitter`. */
export const msgpack: Parser = {
  encode: (value) => notepack.encode(value) as Buffer,
  decode: (bytes) => notepack.decode(bytes) as unknown,
};

const OPEN_BRACE = 0x7b;

/**
 * Encodes a value with a parser.
 *
 * @param parser the parser (MessagePack by default)
 * @param value the message
 * @returns the bytes to publish
 * @throws SKT_ERR_REDIS_INVALID_MESSAGE when the parser throws or returns something that is not bytes or text
 * @example
 * encodeWith(msgpack, ["uid", packet, opts]); // <Buffer 93 …>
 */
export function encodeWith(parser: Parser, value: unknown): Buffer {
  let out: unknown;
  try {
    out = parser.encode(value);
  } catch (err) {
    throw createErrorWithCause("SKT_ERR_REDIS_INVALID_MESSAGE", err, "the parser could not encode a message");
  }
  if (Buffer.isBuffer(out)) return out;
  if (typeof out === "string") return Buffer.from(out, "utf8");
  if (out instanceof Uint8Array) return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  throw createErrorWithCause("SKT_ERR_REDIS_INVALID_MESSAGE", undefined, "the parser returned neither bytes nor text");
}

/**
 * Decodes received bytes: JSON when they start with `{`, the parser otherwise.
 *
 * @param parser the parser (MessagePack by default)
 * @param bytes what arrived on a channel
 * @returns the decoded value (still untrusted)
 * @throws SKT_ERR_REDIS_INVALID_MESSAGE when the bytes do not decode
 * @example
 * decodeWith(msgpack, Buffer.from('{"type":1}')); // { type: 1 }
 */
export function decodeWith(parser: Parser, bytes: Buffer): unknown {
  try {
    if (bytes.length > 0 && bytes[0] === OPEN_BRACE) return JSON.parse(bytes.toString("utf8")) as unknown;
    if (bytes.length === 0) throw new Error("empty message");
    return parser.decode(bytes);
  } catch (err) {
    throw createErrorWithCause("SKT_ERR_REDIS_INVALID_MESSAGE", err, `undecodable message (${bytes.length} bytes): ${(err as Error)?.message ?? String(err)}`);
  }
}
