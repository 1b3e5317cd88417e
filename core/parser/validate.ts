/**
 * @module parser/validate — structural checks of a Socket.IO v5 packet: known type, namespace,
 * ack id, payload shape per type, and JSON nesting depth.
 *
 * The rules come from socket.io-protocol-v5.md ("Exchange protocol"): an EVENT payload is a
 * non-empty array, an ACK payload an array, CONNECT carries an optional object, CONNECT_ERROR an
 * object (or, from older peers, a string), DISCONNECT nothing. Like socket.io-parser v4, an
 * event name may be a string or a number, and an EVENT named like a lifecycle event
 * (`disconnect`, `connect`, … see RESERVED_EVENTS) is malformed: socket.io-parser refuses it at
 * decode time, so a peer cannot make the other side run its own lifecycle handlers.
 */
import { RESERVED_EVENTS } from "../constants.js";
import { createError } from "../errors.js";

/** Packet type numbers, mirrored here so this module stays a leaf. */
const CONNECT = 0;
const DISCONNECT = 1;
const EVENT = 2;
const ACK = 3;
const CONNECT_ERROR = 4;
const BINARY_EVENT = 5;
const BINARY_ACK = 6;

/**
 * True for an object whose tag is `[object Object]`: not an array, null, Date, Buffer or other
 * built-in (the same test socket.io-parser applies, so a reviver's class instances still pass).
 *
 * @param value anything
 * @returns true for object payloads (CONNECT auth, CONNECT_ERROR details)
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === "[object Object]";
}

/**
 * Tells why a payload does not fit its packet type, or `undefined` when it fits.
 *
 * @param type the packet type number (0–6)
 * @param data the decoded payload, `undefined` when absent
 * @returns a short reason, or undefined when valid
 */
export function payloadProblem(type: number, data: unknown): string | undefined {
  switch (type) {
    case CONNECT:
      return data === undefined || isPlainObject(data) ? undefined : "CONNECT payload must be an object";
    case DISCONNECT:
      return data === undefined ? undefined : "DISCONNECT carries no payload";
    case EVENT:
    case BINARY_EVENT: {
      if (!Array.isArray(data) || data.length === 0) return "EVENT payload must be a non-empty array";
      const name: unknown = data[0];
      if (typeof name === "number") return undefined;
      if (typeof name !== "string") return "event name must be a string or a number";
      return RESERVED_EVENTS.has(name) ? `"${name}" is a reserved event name` : undefined;
    }
    case ACK:
    case BINARY_ACK:
      return Array.isArray(data) ? undefined : "ACK payload must be an array";
    case CONNECT_ERROR:
      return typeof data === "string" || isPlainObject(data)
        ? undefined
        : "CONNECT_ERROR payload must be an object or a string";
    default:
      return `unknown packet type ${String(type)}`;
  }
}

/**
 * Throws when a payload does not fit its packet type.
 *
 * @param type the packet type number
 * @param data the decoded payload
 * @throws SKT_ERR_PARSER_INVALID_PACKET naming the rule that failed
 */
export function assertPayload(type: number, data: unknown): void {
  const problem = payloadProblem(type, data);
  if (problem !== undefined) throw createError("SKT_ERR_PARSER_INVALID_PACKET", problem);
}

/**
 * Tells whether a value can be an ack id.
 *
 * @param id anything
 * @returns true for a non-negative safe integer
 */
export function isAckId(id: unknown): id is number {
  return typeof id === "number" && Number.isSafeInteger(id) && id >= 0;
}

/**
 * Checks a whole packet object (as given to an encoder, or produced by a custom parser).
 *
 * @param packet anything
 * @returns true when type, nsp, id and data are all valid
 * @example
 * isPacketValid({ type: 2, nsp: "/", data: ["hello"] }); // true
 * isPacketValid({ type: 2, nsp: "/", data: [] }); // false
 */
export function isPacketValid(packet: unknown): boolean {
  if (typeof packet !== "object" || packet === null) return false;
  const p = packet as { type?: unknown; nsp?: unknown; id?: unknown; data?: unknown };
  if (typeof p.type !== "number" || !Number.isInteger(p.type) || p.type < CONNECT || p.type > BINARY_ACK) {
    return false;
  }
  if (typeof p.nsp !== "string" || !p.nsp.startsWith("/")) return false;
  if (p.id !== undefined && !isAckId(p.id)) return false;
  return payloadProblem(p.type, p.data) === undefined;
}

const OPEN_BRACE = 0x7b; // {
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACE = 0x7d; // }
const CLOSE_BRACKET = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Tells whether JSON text nests arrays/objects deeper than `maxDepth`, scanning the text before
 * it is parsed so that a hostile payload is refused before anything is allocated for it.
 *
 * @param json the JSON text (need not be valid: JSON.parse will judge that afterwards)
 * @param start the index where the JSON text begins
 * @param maxDepth the deepest nesting allowed (`["a"]` is depth 1, `[{"a":[]}]` depth 3)
 * @returns true when the limit is exceeded
 */
export function exceedsDepth(json: string, start: number, maxDepth: number): boolean {
  // Each level needs at least one character: short texts cannot exceed the limit.
  if (json.length - start <= maxDepth) return false;
  let depth = 0;
  for (let i = start; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      // Jump over the string with indexOf (native, fast on long text) instead of char by char.
      const end = closingQuote(json, i);
      if (end === -1) return false; // unterminated: JSON.parse will reject it
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** Index of the quote closing the string that opens at `open`, or -1. */
function closingQuote(json: string, open: number): number {
  let q = json.indexOf('"', open + 1);
  while (q !== -1) {
    // The quote is escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    while (json.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q;
    q = json.indexOf('"', q + 1);
  }
  return -1;
}
