/**
 * @module parser/binary — finds binary values in a payload, swaps them for numbered placeholders
 * on the way out, and puts the received attachments back on the way in.
 *
 * Socket.IO v5 sends binary data out of band: the JSON part carries
 * `{"_placeholder":true,"num":N}` where the N-th attachment goes, and the attachments follow as
 * separate Engine.IO binary messages (socket.io-protocol-v5.md, "Packet encoding", binary examples).
 */
import { createError } from "../errors.js";

/** Any binary value the encoder extracts as an attachment. */
export type BinaryLike = Buffer | ArrayBuffer | ArrayBufferView;

/** The JSON placeholder that stands for attachment number `num`. */
export interface Placeholder {
  _placeholder: true;
  num: number;
}

/**
 * Tells whether a value is binary: a Buffer, an ArrayBuffer, or any typed array or DataView.
 *
 * @param value anything
 * @returns true for values sent as attachments
 * @example
 * isBinary(Buffer.from([1])); // true
 * isBinary(new Uint16Array(2)); // true
 * isBinary([Buffer.from([1])]); // false: use hasBinary for nested values
 */
export function isBinary(value: unknown): value is BinaryLike {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/**
 * Tells whether a value contains binary data anywhere inside (arrays, plain objects, and the
 * result of a `toJSON()` method, since that is what JSON.stringify would serialize).
 *
 * @param value anything
 * @returns true when at least one binary value would be found by the encoder
 * @example
 * hasBinary(["upload", { file: Buffer.from("x") }]); // true
 * hasBinary(["chat", "hello"]); // false
 */
export function hasBinary(value: unknown): boolean {
  return scan(value, false, 0, undefined);
}

/**
 * Depth from which the walkers keep the chain of containers they are in, to refuse a circular payload with
 * a clear error instead of overflowing the stack. Shallower payloads (all real ones) pay nothing for it.
 */
const TRACK_CYCLES_FROM = 32;

/** Adds `value` to the chain of containers being walked; throws if it is already in it (a cycle). */
function enterTracked(value: object, depth: number, chain: Set<object> | undefined): Set<object> | undefined {
  if (depth < TRACK_CYCLES_FROM) return chain;
  const path = chain ?? new Set<object>();
  if (path.has(value)) throw createError("SKT_ERR_PARSER_CIRCULAR");
  path.add(value);
  return path;
}

function scan(value: unknown, viaToJSON: boolean, depth: number, chain: Set<object> | undefined): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (isBinary(value)) return true;
  const path = enterTracked(value, depth, chain);
  let found = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && !found; i++) found = scan(value[i], false, depth + 1, path);
  } else {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    // A Date's toJSON gives a string; other objects may serialize to something holding binary.
    // One level of toJSON only, as JSON.stringify does not call toJSON on its own result twice.
    if (typeof toJSON === "function" && !viaToJSON) {
      found = scan((toJSON as () => unknown).call(value), true, depth + 1, path);
    } else {
      for (const key in value) {
        if (Object.hasOwn(value, key) && scan((value as Record<string, unknown>)[key], false, depth + 1, path)) {
          found = true;
          break;
        }
      }
    }
  }
  path?.delete(value);
  return found;
}

/**
 * Defines an own enumerable property even when the key is `__proto__`, where a plain assignment
 * would replace the object's prototype instead.
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * Copies `data`, replacing every binary value by a placeholder and collecting it in `buffers`.
 * The caller's data is not modified: containers on the path to binary values are copied.
 *
 * @param data the payload (usually the packet's `data` array)
 * @param buffers receives the attachments, in placeholder order
 * @returns the payload with placeholders, ready for JSON.stringify
 * @example
 * const buffers: BinaryLike[] = [];
 * deconstruct(["x", Buffer.from([1])], buffers); // ["x", { _placeholder: true, num: 0 }]
 */
export function deconstruct(data: unknown, buffers: BinaryLike[]): unknown {
  return replaceBinary(data, buffers, false, 0, undefined);
}

function replaceBinary(
  value: unknown,
  buffers: BinaryLike[],
  viaToJSON: boolean,
  depth: number,
  chain: Set<object> | undefined,
): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (isBinary(value)) {
    const placeholder: Placeholder = { _placeholder: true, num: buffers.length };
    buffers.push(value);
    return placeholder;
  }
  if (value instanceof Date) return value;
  const path = enterTracked(value, depth, chain);
  let out: unknown;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = replaceBinary(value[i], buffers, false, depth + 1, path);
    out = copy;
  } else {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function" && !viaToJSON) {
      out = replaceBinary((toJSON as () => unknown).call(value), buffers, true, depth + 1, path);
    } else {
      const copy: Record<string, unknown> = {};
      for (const key in value) {
        if (Object.hasOwn(value, key)) {
          setOwn(copy, key, replaceBinary((value as Record<string, unknown>)[key], buffers, false, depth + 1, path));
        }
      }
      out = copy;
    }
  }
  path?.delete(value);
  return out;
}

function isPlaceholder(value: object): value is { _placeholder: true; num: unknown } {
  return (value as { _placeholder?: unknown })._placeholder === true && Object.hasOwn(value, "_placeholder");
}

/**
 * Puts the attachments back in place of their placeholders, in the freshly parsed payload (which
 * belongs to the decoder, so it is updated in place). Recursion depth is bounded by the decoder's
 * `maxDepth` check, done before parsing.
 *
 * @param data the parsed JSON payload
 * @param buffers the received attachments
 * @returns the payload with binary values
 * @throws SKT_ERR_PARSER_INVALID_PACKET when a placeholder's `num` is not an index into `buffers`
 */
export function reconstruct(data: unknown, buffers: readonly Buffer[]): unknown {
  if (typeof data !== "object" || data === null) return data;
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) data[i] = reconstruct(data[i], buffers);
    return data;
  }
  if (isPlaceholder(data)) {
    const num = data.num;
    if (typeof num !== "number" || !Number.isInteger(num) || num < 0 || num >= buffers.length) {
      throw createError("SKT_ERR_PARSER_INVALID_PACKET", "placeholder points at no attachment");
    }
    return buffers[num];
  }
  const record = data as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const before = record[key];
    if (typeof before === "object" && before !== null) setOwn(record, key, reconstruct(before, buffers));
  }
  return data;
}

/**
 * Views received binary data as a Buffer without copying it.
 *
 * @param data a Buffer, ArrayBuffer or ArrayBufferView from the transport
 * @returns a Buffer over the same memory
 */
export function toBuffer(data: BinaryLike): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
