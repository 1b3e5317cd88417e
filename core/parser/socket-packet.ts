/**
 * @module parser/socket-packet — the Socket.IO v5 packet codec (Encoder, Decoder), with the same
 * public shape as socket.io-parser v4 so that a custom parser (e.g. socket.io-msgpack-parser)
 * can be swapped in through the Server's `parser` option. Pure: no I/O.
 *
 * Wire format (socket.io-protocol-v5.md, "Packet encoding", "Format"):
 * `<type>[<attachments>-][<nsp>,][<ack id>][JSON payload]`, then one binary message per
 * attachment. The namespace is written only when it is not `/`.
 */
import { EventEmitter } from "node:events";
import { PACKET_TYPE } from "../constants.js";
import { createError, createErrorWithCause } from "../errors.js";
import { is, resolveOptions, type OptionSchema } from "../util/options.js";
import { deconstruct, hasBinary, isBinary, reconstruct, toBuffer, type BinaryLike } from "./binary.js";
import { assertPayload, exceedsDepth } from "./validate.js";

/** The Socket.IO protocol revision this codec speaks. */
export const protocol = 5;

/** Socket.IO packet types (socket.io-protocol-v5.md, "Exchange protocol"), under socket.io-parser's name. */
export const PacketType = PACKET_TYPE;
/** One of the {@link PacketType} numbers. */
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** A Socket.IO packet, as given to the encoder and emitted by the decoder. */
export interface Packet {
  type: PacketType;
  /** The namespace, always starting with `/`. */
  nsp: string;
  /** The payload: `unknown` until the socket layer has looked at it. */
  data?: unknown;
  /** The ack id, a non-negative integer. */
  id?: number;
  /** The number of binary attachments (BINARY_EVENT / BINARY_ACK on the wire only). */
  attachments?: number;
}

/** A `JSON.stringify` replacer. */
export type JsonReplacer = (this: unknown, key: string, value: unknown) => unknown;
/** A `JSON.parse` reviver. */
export type JsonReviver = (this: unknown, key: string, value: unknown) => unknown;

/** One encoded frame: a text frame or a binary attachment. */
export type EncodedFrame = string | Buffer | ArrayBuffer | ArrayBufferView;

/** What {@link Encoder.encode} returns: the frames of one packet, the text part first, then the attachments. */
export type EncodedFrames = EncodedFrame[];

const ZERO = 0x30;
const NINE = 0x39;
const DASH = 0x2d;
const SLASH = 0x2f;

/** Ack ids longer than this cannot be safe integers (2^53 has 16 digits). */
const MAX_ID_DIGITS = 16;

/**
 * Encodes packets to the Socket.IO v5 wire format.
 *
 * @example
 * const encoder = new Encoder();
 * encoder.encode({ type: PacketType.EVENT, nsp: "/", data: ["hello", 1] }); // ['2["hello",1]']
 * encoder.encode({ type: PacketType.EVENT, nsp: "/", data: ["f", Buffer.from([1])] });
 * // ['51-["f",{"_placeholder":true,"num":0}]', <Buffer 01>]
 */
export class Encoder {
  readonly #replacer: JsonReplacer | undefined;

  /**
   * @param replacer an optional `JSON.stringify` replacer applied to every payload
   */
  constructor(replacer?: JsonReplacer) {
    this.#replacer = replacer;
  }

  /**
   * Encodes one packet. An EVENT or ACK whose data holds binary values anywhere becomes a
   * BINARY_EVENT or BINARY_ACK with placeholders; the caller's data is never modified.
   *
   * @param packet the packet to encode
   * @returns the text part, followed by the binary attachments (if any), in order
   * @throws TypeError from JSON.stringify when the data holds a BigInt or is circular (circular
   *   data in an EVENT/ACK exhausts the stack while looking for binary, as in socket.io-parser)
   */
  encode(packet: Packet): EncodedFrames {
    const type = packet.type;
    if (type === PacketType.EVENT || type === PacketType.ACK) {
      if (!hasBinary(packet.data)) return [this.#encodeText(type, packet.nsp, packet.id, packet.data, 0)];
      return this.#encodeBinary(type === PacketType.EVENT ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK, packet);
    }
    if (type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK) {
      return this.#encodeBinary(type, packet);
    }
    return [this.#encodeText(type, packet.nsp, packet.id, packet.data, 0)];
  }

  #encodeBinary(type: 5 | 6, packet: Packet): EncodedFrames {
    const buffers: BinaryLike[] = [];
    const data = deconstruct(packet.data, buffers);
    if (buffers.length === 0) {
      // A BINARY_* type with nothing binary inside: "0 attachments" is not valid on the wire.
      const plain = type === PacketType.BINARY_EVENT ? PacketType.EVENT : PacketType.ACK;
      return [this.#encodeText(plain, packet.nsp, packet.id, data, 0)];
    }
    const out: EncodedFrames = [this.#encodeText(type, packet.nsp, packet.id, data, buffers.length)];
    for (const b of buffers) out.push(b);
    return out;
  }

  #encodeText(type: number, nsp: string, id: number | undefined, data: unknown, attachments: number): string {
    let str = String(type);
    if (attachments > 0) str += attachments + "-";
    if (nsp && nsp !== "/") str += nsp + ",";
    if (id !== undefined && id !== null) str += id;
    if (data !== undefined && data !== null) {
      const json: string | undefined = JSON.stringify(data, this.#replacer);
      if (json !== undefined) str += json;
    }
    return str;
  }
}

/** Options of a {@link Decoder}. */
export interface DecoderOptions {
  /**
   * Most binary attachments one packet may announce.
   * @default 10
   */
  maxAttachments?: number;
  /**
   * Deepest array/object nesting of a payload (`["a", {"b": []}]` is depth 3); checked on the
   * text before parsing. `Infinity` disables the check.
   * @default 64
   */
  maxDepth?: number;
  /** A `JSON.parse` reviver applied to every payload. */
  reviver?: JsonReviver;
}

interface ResolvedDecoderOptions {
  maxAttachments: number;
  maxDepth: number;
  reviver: JsonReviver | undefined;
}

const DECODER_OPTIONS: OptionSchema<ResolvedDecoderOptions> = {
  maxAttachments: { default: 10, check: is.number(0) },
  maxDepth: { default: 64, check: is.number(1) }, // levels of [ ] / { }
  reviver: { default: undefined, check: is.optional(is.fn<JsonReviver>()) },
};

/** A binary packet whose attachments are still arriving. */
interface PendingBinary {
  packet: Packet;
  buffers: Buffer[];
  expected: number;
}

/** Events of a {@link Decoder}. */
export interface DecoderEvents {
  decoded: [packet: Packet];
}

let defaultDecoderOptions: Readonly<ResolvedDecoderOptions> | undefined;

/**
 * Decodes the Socket.IO v5 wire format, one Engine.IO message at a time. Emits `"decoded"` with
 * each complete packet; a binary packet is emitted (as EVENT or ACK, like socket.io-parser) once
 * all its attachments have arrived, with each attachment as a Buffer.
 *
 * @example
 * const decoder = new Decoder({ maxAttachments: 4 });
 * decoder.on("decoded", (packet) => console.log(packet));
 * decoder.add('2["hello"]'); // { type: 2, nsp: "/", data: ["hello"] }
 */
export class Decoder extends EventEmitter<DecoderEvents> {
  readonly #opts: Readonly<ResolvedDecoderOptions>;
  #pending: PendingBinary | undefined;

  /**
   * @param opts decoder limits and reviver, or (as in socket.io-parser) a reviver function
   * @throws SKT_ERR_OPTIONS_* for an invalid option
   */
  constructor(opts?: DecoderOptions | JsonReviver) {
    super();
    // one Decoder per connection: the default options are resolved once, not per connection
    this.#opts =
      opts === undefined
        ? (defaultDecoderOptions ??= resolveOptions(DECODER_OPTIONS, undefined))
        : resolveOptions(DECODER_OPTIONS, typeof opts === "function" ? { reviver: opts } : opts);
  }

  /**
   * Feeds one Engine.IO message: a string (a packet's text part) or binary (an attachment).
   *
   * @param chunk the message
   * @throws SKT_ERR_PARSER_INVALID_PACKET for malformed text, a bad payload shape, a bad
   *   placeholder, or text arriving while attachments were expected
   * @throws SKT_ERR_PARSER_TOO_MANY_ATTACHMENTS when a packet announces more than `maxAttachments`
   * @throws SKT_ERR_PARSER_TOO_DEEP when the payload nests deeper than `maxDepth`
   * @throws SKT_ERR_PARSER_UNEXPECTED_BINARY for binary data while no attachment was expected
   */
  add(chunk: string | Buffer | ArrayBuffer | ArrayBufferView): void {
    if (typeof chunk === "string") {
      if (this.#pending !== undefined) {
        this.#pending = undefined;
        throw createError("SKT_ERR_PARSER_INVALID_PACKET", "text received while binary attachments were expected");
      }
      const packet = this.#decodeText(chunk);
      if (packet.attachments !== undefined) {
        this.#pending = { packet, buffers: [], expected: packet.attachments };
        return;
      }
      this.emit("decoded", packet);
      return;
    }
    if (!isBinary(chunk)) {
      throw createError("SKT_ERR_PARSER_INVALID_PACKET", `cannot decode a chunk of type ${typeof chunk}`);
    }
    const pending = this.#pending;
    if (pending === undefined) throw createError("SKT_ERR_PARSER_UNEXPECTED_BINARY");
    pending.buffers.push(toBuffer(chunk));
    if (pending.buffers.length < pending.expected) return;
    this.#pending = undefined;
    const packet = pending.packet;
    packet.data = reconstruct(packet.data, pending.buffers);
    packet.type = packet.type === PacketType.BINARY_EVENT ? PacketType.EVENT : PacketType.ACK;
    delete packet.attachments;
    this.emit("decoded", packet);
  }

  /** Drops a partially received binary packet. The decoder can be reused afterwards. */
  destroy(): void {
    this.#pending = undefined;
  }

  #decodeText(str: string): Packet {
    const len = str.length;
    const type = str.charCodeAt(0) - ZERO;
    if (!(type >= PacketType.CONNECT && type <= PacketType.BINARY_ACK)) {
      throw createError("SKT_ERR_PARSER_INVALID_PACKET", len === 0 ? "empty packet" : "unknown packet type");
    }
    let i = 1;

    let attachments: number | undefined;
    if (type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK) {
      const start = i;
      while (i < len && isDigit(str.charCodeAt(i))) i++;
      if (i === start || str.charCodeAt(i) !== DASH) {
        throw createError("SKT_ERR_PARSER_INVALID_PACKET", "missing or malformed attachment count");
      }
      attachments = Number(str.slice(start, i));
      i++; // the "-"
      if (attachments > this.#opts.maxAttachments) {
        throw createError("SKT_ERR_PARSER_TOO_MANY_ATTACHMENTS", this.#opts.maxAttachments);
      }
      if (attachments < 1) throw createError("SKT_ERR_PARSER_INVALID_PACKET", "a binary packet needs attachments");
    }

    let nsp = "/";
    if (str.charCodeAt(i) === SLASH) {
      // Like socket.io-parser, the namespace runs to the first "," or to the end of the text.
      const comma = str.indexOf(",", i);
      const end = comma === -1 ? len : comma;
      nsp = str.slice(i, end);
      i = comma === -1 ? len : comma + 1;
    }

    let id: number | undefined;
    const idStart = i;
    while (i < len && isDigit(str.charCodeAt(i))) i++;
    if (i > idStart) {
      if (i - idStart > MAX_ID_DIGITS) throw createError("SKT_ERR_PARSER_INVALID_PACKET", "ack id too large");
      id = Number(str.slice(idStart, i));
      if (!Number.isSafeInteger(id)) throw createError("SKT_ERR_PARSER_INVALID_PACKET", "ack id too large");
    }

    let data: unknown;
    if (i < len) {
      if (exceedsDepth(str, i, this.#opts.maxDepth)) throw createError("SKT_ERR_PARSER_TOO_DEEP", this.#opts.maxDepth);
      try {
        data = JSON.parse(str.slice(i), this.#opts.reviver as Parameters<typeof JSON.parse>[1]);
      } catch (err) {
        throw createErrorWithCause("SKT_ERR_PARSER_INVALID_PACKET", err, "payload is not valid JSON");
      }
    }
    assertPayload(type, data);

    const packet: Packet = { type: type as PacketType, nsp };
    if (id !== undefined) packet.id = id;
    if (data !== undefined) packet.data = data;
    if (attachments !== undefined) packet.attachments = attachments;
    return packet;
  }
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}
