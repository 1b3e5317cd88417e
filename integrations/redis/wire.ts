/**
 * @module redis/wire — the inter-node wire format: one self-contained binary frame per message.
 *
 * A frame is
 *
 *     u8 version (1) | u32 jsonLength | json (UTF-8) | u32 attachmentCount | (u32 length | bytes)*
 *
 * The JSON part is the message with every binary value (Buffer, ArrayBuffer, typed array,
 * DataView) replaced by the placeholder object `{"\u0000b": index}`; the attachments follow raw,
 * so binary payloads cost no base64 inflation on the pub/sub path. To keep user objects that
 * happen to use a key starting with U+0000 distinct from a placeholder, such keys are escaped by
 * doubling the leading U+0000 on the way out and unescaped on the way in.
 *
 * Values are serialized as `JSON.stringify` would (a `toJSON()` method is honoured, `undefined`
 * in arrays becomes `null`), because that is what a client would have received from a
 * single-node server. Binary values come back as `Buffer`.
 */
import { createError } from "./core.js";

const VERSION = 1;
/** The key of a placeholder object: U+0000 cannot start a key the escaping lets through. */
const PLACEHOLDER_KEY = "\u0000b";
const ESCAPE = "\u0000";
/** Deepest nesting accepted, on both sides: deeper values are refused rather than overflowing the stack. */
const MAX_DEPTH = 64;

/** A value the wire can carry once binary values are lifted out. */
type Binary = Buffer | ArrayBuffer | ArrayBufferView;

function isBinary(value: unknown): value is Binary {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function toBuffer(value: Binary): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function lift(value: unknown, out: Buffer[], depth: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth > MAX_DEPTH) throw createError("SKT_ERR_REDIS_INVALID_MESSAGE", `nested deeper than ${MAX_DEPTH}`);
  if (isBinary(value)) {
    out.push(toBuffer(value));
    return { [PLACEHOLDER_KEY]: out.length - 1 };
  }
  if (Array.isArray(value)) return value.map((v) => lift(v, out, depth + 1));
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return lift((toJSON as () => unknown).call(value), out, depth + 1);
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    copy[k.startsWith(ESCAPE) ? ESCAPE + k : k] = lift(v, out, depth + 1);
  }
  return copy;
}

function land(value: unknown, attachments: readonly Buffer[], depth: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth > MAX_DEPTH) throw createError("SKT_ERR_REDIS_INVALID_MESSAGE", `nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = land(value[i], attachments, depth + 1);
    return value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === PLACEHOLDER_KEY) {
    const index = obj[PLACEHOLDER_KEY];
    const buf = typeof index === "number" ? attachments[index] : undefined;
    if (buf === undefined) throw createError("SKT_ERR_REDIS_INVALID_MESSAGE", `bad attachment index ${String(index)}`);
    return buf;
  }
  const copy: Record<string, unknown> = {};
  for (const k of keys) {
    // A key starting with U+0000 on the wire was escaped on the way out; a single one is a
    // placeholder key that appears in a larger object, which only a corrupt frame produces.
    if (k.startsWith(ESCAPE) && !k.startsWith(ESCAPE + ESCAPE)) {
      throw createError("SKT_ERR_REDIS_INVALID_MESSAGE", "unescaped reserved key");
    }
    copy[k.startsWith(ESCAPE) ? k.slice(1) : k] = land(obj[k], attachments, depth + 1);
  }
  return copy;
}

/**
 * Encodes a value into one frame.
 *
 * @param value any JSON-serializable value, binary values included at any depth
 * @returns the frame, ready to PUBLISH
 * @throws SKT_ERR_REDIS_INVALID_MESSAGE when the value is nested deeper than 64 levels
 * @example
 * const frame = encodeFrame({ type: 1, data: ["file", Buffer.from([1, 2])] });
 */
export function encodeFrame(value: unknown): Buffer {
  const attachments: Buffer[] = [];
  const json = Buffer.from(JSON.stringify(lift(value, attachments, 0)) ?? "null", "utf8");
  let size = 1 + 4 + json.length + 4;
  for (const a of attachments) size += 4 + a.length;
  const frame = Buffer.allocUnsafe(size);
  let at = frame.writeUInt8(VERSION, 0);
  at = frame.writeUInt32BE(json.length, at);
  at += json.copy(frame, at);
  at = frame.writeUInt32BE(attachments.length, at);
  for (const a of attachments) {
    at = frame.writeUInt32BE(a.length, at);
    at += a.copy(frame, at);
  }
  return frame;
}

/**
 * Decodes one frame.
 *
 * @param frame bytes produced by {@link encodeFrame}
 * @returns the value, binary values as (copied) `Buffer`s
 * @throws SKT_ERR_REDIS_INVALID_MESSAGE on a truncated, oversized or otherwise malformed frame
 * @example
 * decodeFrame(encodeFrame(["x", Buffer.from([1])])); // ["x", <Buffer 01>]
 */
export function decodeFrame(frame: Buffer): unknown {
  const fail = (why: string): never => {
    throw createError("SKT_ERR_REDIS_INVALID_MESSAGE", why);
  };
  if (frame.length < 9) fail("frame too short");
  if (frame.readUInt8(0) !== VERSION) fail(`unknown frame version ${frame.readUInt8(0)}`);
  const jsonLength = frame.readUInt32BE(1);
  let at = 5 + jsonLength;
  if (at + 4 > frame.length) fail("truncated JSON part");
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame.toString("utf8", 5, at));
  } catch {
    fail("JSON part does not parse");
  }
  const count = frame.readUInt32BE(at);
  at += 4;
  // Every attachment takes at least its 4-byte length: a larger count cannot be genuine.
  if (count > (frame.length - at) / 4) fail("attachment count exceeds the frame");
  const attachments: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 4 > frame.length) fail("truncated attachment header");
    const length = frame.readUInt32BE(at);
    at += 4;
    if (at + length > frame.length) fail("truncated attachment");
    attachments.push(Buffer.from(frame.subarray(at, at + length)));
    at += length;
  }
  if (at !== frame.length) fail("trailing bytes after the last attachment");
  return land(parsed, attachments, 0);
}
