/**
 * @module engine/polling-v3 — Engine.IO v3 long-polling (socket.io v2 clients, `allowEIO3`):
 * length-prefixed payloads, binary payloads for clients that take them, `b64=1`, and JSONP.
 *
 * Everything else (one GET and one POST at a time, `maxHttpBufferSize` counted on the raw body,
 * compression, close) is the v4 {@link PollingTransport}'s: only the body codec differs.
 * - `b64=1` in the handshake: binary is sent as `b4<base64>` inside a text payload.
 * - without it: a response carrying binary is a binary payload (`application/octet-stream`);
 *   a POST with that Content-Type is decoded as one.
 * - `j=<index>` in the handshake: JSONP. Responses are `___eio[<index>]("<payload>");`
 *   (text/javascript), POSTs are form bodies `d=<payload>`; binary always as base64.
 */
import type { IncomingMessage } from "node:http";
import type { EnginePacket } from "../parser/engine-packet.js";
import { decodeBinaryPayloadV3, decodePayloadV3, encodePayloadV3 } from "../parser/engine-packet-v3.js";
import type { EngineQuery } from "../util/http.js";
import { ENGINE_ERRORS, type Refusal } from "./constants.js";
import { PollingTransport, type HeadersHook, type PollingOptions } from "./polling.js";
import type { OutboundPacket } from "./transport.js";

const BINARY_TYPE = "application/octet-stream";
const TEXT_TYPE = "text/plain; charset=UTF-8";
const SCRIPT_TYPE = "text/javascript; charset=UTF-8";
// a JSONP callback index: the client's counter of script tags, a small decimal number
const JSONP_INDEX = /^\d{1,10}$/;

/**
 * Checks the v3-only parts of a handshake query (the JSONP index).
 *
 * @param query the handshake's query
 * @returns a refusal (400, "Bad request") when `j` is present and not a decimal number
 */
export function verifyV3Query(query: EngineQuery): Refusal | undefined {
  const j = query.j;
  if (j !== undefined && !JSONP_INDEX.test(j)) {
    return { code: ENGINE_ERRORS.BAD_REQUEST, context: { name: "INVALID_JSONP_INDEX", j } };
  }
  return undefined;
}

/** The v3 polling transport of one session. */
export class PollingV3Transport extends PollingTransport {
  readonly #supportsBinary: boolean;
  readonly #jsonpHead: string | undefined;

  /**
   * @param opts limits and compression
   * @param onHeaders called with the headers of each response before it is written
   * @param query the handshake's query (`b64`, `j`), checked by {@link verifyV3Query}
   */
  constructor(opts: PollingOptions, onHeaders: HeadersHook, query: EngineQuery) {
    super(opts, onHeaders);
    this.#jsonpHead = query.j === undefined ? undefined : `___eio[${query.j}](`;
    this.#supportsBinary = query.b64 === undefined && this.#jsonpHead === undefined;
  }

  protected override decodeBody(body: Buffer, req: IncomingMessage): EnginePacket[] | null {
    if (this.#jsonpHead !== undefined) return decodeJsonpBody(body);
    if (req.headers["content-type"]?.startsWith(BINARY_TYPE) === true) return decodeBinaryPayloadV3(body);
    return decodePayloadV3(body.toString("utf8"));
  }

  protected override encodeBody(packets: readonly OutboundPacket[]): string | Buffer {
    const payload = encodePayloadV3(packets, this.#supportsBinary);
    if (this.#jsonpHead === undefined) return payload;
    // a script, not JSON: U+2028/U+2029 are line terminators in JavaScript string literals
    const literal = JSON.stringify(payload).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
    return this.#jsonpHead + literal + ");";
  }

  protected override bodyType(body: string | Buffer): string {
    if (this.#jsonpHead !== undefined) return SCRIPT_TYPE;
    return typeof body === "string" ? TEXT_TYPE : BINARY_TYPE;
  }
}

/**
 * A JSONP POST: a form body whose `d` field is the text payload. The client writes each newline
 * of the payload as the two characters `\n`, and each `\n` already in it as `\\n`: read back
 * left to right, `\\n` is a backslash and an `n`, a lone `\n` a newline.
 */
function decodeJsonpBody(body: Buffer): EnginePacket[] | null {
  const d = new URLSearchParams(body.toString("utf8")).get("d");
  if (d === null) return null;
  let text = "";
  for (let i = 0; i < d.length; i++) {
    const c = d[i];
    if (c === "\\" && d[i + 1] === "\\" && d[i + 2] === "n") {
      text += "\\n";
      i += 2;
    } else if (c === "\\" && d[i + 1] === "n") {
      text += "\n";
      i += 1;
    } else {
      text += c;
    }
  }
  return decodePayloadV3(text);
}
