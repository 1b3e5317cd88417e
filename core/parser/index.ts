/**
 * @module parser — the Socket.IO v5 codec, shaped like socket.io-parser v4 so that it can be
 * passed (or replaced) as the Server's `parser` option: `{ protocol, PacketType, Encoder, Decoder }`.
 */
export {
  protocol,
  PacketType,
  Encoder,
  Decoder,
  type Packet,
  type DecoderOptions,
  type DecoderEvents,
  type EncodedFrame,
  type EncodedFrames,
  type JsonReplacer,
  type JsonReviver,
} from "./socket-packet.js";
export { isBinary, hasBinary, type BinaryLike } from "./binary.js";
export { isPacketValid } from "./validate.js";
