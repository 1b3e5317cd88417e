/**
 * @module socket/client — one Engine.IO connection and the namespace sockets multiplexed on it:
 * decodes incoming messages, routes packets by namespace, writes encoded packets, enforces
 * `connectTimeout` and maps the connection's close to every socket's `disconnect`.
 */
import type { IncomingMessage } from "node:http";
import { debuglog } from "../util/debug.js";
import { DISCONNECT_REASON, PACKET_TYPE, type DisconnectReason } from "../constants.js";
import type { EncodedFrame, Packet, SocketId, WriteOptions } from "../adapter/types.js";
import type { Socket as EngineSocket } from "../engine/socket.js";
import type { DefaultEventsMap, DefaultSocketData, EventsMap } from "../events/typed-events.js";
import {
  kAddClient,
  kConnectTimeout,
  kCreateDecoder,
  kDisconnectAll,
  kOnClose,
  kOnPacket,
  kRemoveFromClient,
  kResolveNamespace,
  kMetrics,
  kWriteEncoded,
  kWritePacket,
  type ClientHost,
  type ClientSocket,
  type SocketConnection,
} from "../contracts.js";
import { installClientCompat } from "../compat/client.js";
import type { SocketIoClientMembers } from "../compat/members.js";

const debug = debuglog("socketeer:client");
const kClient = Symbol("socketeer.client");

function rethrow(err: unknown): never {
  throw err;
}

/** The decoder shape of the `parser` option (socket.io-parser's). */
interface DecoderLike {
  add(chunk: unknown): void;
  destroy(): void;
  on(event: "decoded", fn: (packet: never) => void): unknown;
  [kClient]?: Client;
}

type EngineSocketWithClient = EngineSocket & { [kClient]?: Client };

/** socket.io's members adapters and the admin UI use (`id`, `writeToEngine`): core/compat/. */
export interface Client<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = DefaultSocketData,
> extends SocketIoClientMembers {}

/**
 * One Engine.IO connection (socket.io's `Client`): `socket.client`.
 */
export class Client<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = DefaultSocketData,
> implements SocketConnection {
  /** The Engine.IO connection. */
  readonly conn: EngineSocket;
  /** Sockets on this connection, by socket id. */
  readonly sockets = new Map<SocketId, ClientSocket>();

  readonly #server: ClientHost;
  readonly #decoder: DecoderLike;
  readonly #nsps = new Map<string, ClientSocket>();
  #connectTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #inHandler = false;

  /**
   * Created by the Server for each Engine.IO connection.
   *
   * @param server the server
   * @param conn the Engine.IO connection
   */
  constructor(server: ClientHost, conn: EngineSocket) {
    this.#server = server;
    this.conn = conn;
    this.#decoder = server[kCreateDecoder]() as DecoderLike;
    this.#decoder[kClient] = this as unknown as Client;
    (conn as EngineSocketWithClient)[kClient] = this as unknown as Client;
    conn.on("message", Client.#connOnMessage);
    conn.on("close", Client.#connOnClose);
    this.#decoder.on("decoded", Client.#decoderOnDecoded as (packet: never) => void);
    // A connection that joins no namespace in time is closed (socket.io's connectTimeout).
    this.#connectTimer = setTimeout(() => {
      this.#connectTimer = undefined;
      if (this.#nsps.size === 0) this.#close();
    }, server[kConnectTimeout]);
  }

  /** The first HTTP request of the connection. */
  get request(): IncomingMessage {
    return this.conn.request;
  }

  #onMessage(data: string | Buffer): void {
    this.#server[kMetrics].countFrameIn(data);
    try {
      this.#decoder.add(data);
    } catch (err) {
      if (this.#inHandler) {
        // An application listener threw while a decoded packet was dispatched: not a parse
        // error. It surfaces as an uncaught exception, as it would with socket.io, without
        // leaving the decoder or the engine mid-packet.
        this.#inHandler = false;
        process.nextTick(rethrow, err);
        return;
      }
      if (debug.enabled) debug("invalid packet from %s: %s", this.conn.id, (err as Error).message);
      this.#onClose(DISCONNECT_REASON.PARSE_ERROR, err);
      this.conn.close();
    }
  }

  #onDecoded(packet: Packet): void {
    const socket = this.#nsps.get(packet.nsp);
    if (packet.type === PACKET_TYPE.CONNECT) {
      // A second CONNECT to a joined namespace is ignored: socket.io-client sends one when
      // connect() is called on a socket that is already connecting (socket.io accepts it too).
      if (socket === undefined) this.#connect(packet.nsp, packet.data);
      return;
    }
    if (socket === undefined) return this.#invalidState(packet);
    if (packet.type === PACKET_TYPE.EVENT || packet.type === PACKET_TYPE.BINARY_EVENT) this.#server[kMetrics].countEventIn();
    this.#inHandler = true;
    socket[kOnPacket](packet);
    this.#inHandler = false;
  }

  /**
   * A packet for a namespace the connection has not joined (an event before CONNECT, or after
   * leaving): the connection is closed, as the spec requires ("If the server does not receive a
   * CONNECT packet first, then it MUST close the connection immediately") and as socket.io does.
   */
  #invalidState(packet: Packet): void {
    if (debug.enabled) debug("packet type %d for namespace %s in the wrong state", packet.type, packet.nsp);
    this.#close();
  }

  #connect(name: string, auth: unknown): void {
    if (this.#nsps.has(name)) return;
    this.#server[kResolveNamespace](name, auth, (nsp) => {
      if (this.#closed) return;
      if (nsp === undefined) {
        this[kWritePacket](
          { type: PACKET_TYPE.CONNECT_ERROR, nsp: name, data: { message: "Invalid namespace" } },
          {},
        );
        return;
      }
      nsp[kAddClient](this, auth, (socket) => {
        if (this.#connectTimer !== undefined) {
          clearTimeout(this.#connectTimer);
          this.#connectTimer = undefined;
        }
        this.sockets.set(socket.id, socket);
        this.#nsps.set(nsp.name, socket);
      });
    });
  }

  /** Whether the connection is still open. */
  get isOpen(): boolean {
    return !this.#closed && this.conn.readyState === "open";
  }

  /** Encodes and writes a packet for one socket. */
  [kWritePacket](packet: Packet, opts: WriteOptions): void {
    if (!this.isOpen) return;
    this[kWriteEncoded](this.#server.encoder.encode(packet), opts);
  }

  /** Writes frames already encoded (a broadcast's, shared by every recipient). */
  [kWriteEncoded](encoded: readonly EncodedFrame[], opts: WriteOptions): void {
    if (!this.isOpen) return;
    if (opts.volatile === true && !this.conn.transport.writable) {
      if (debug.enabled) debug("volatile packet dropped for %s", this.conn.id);
      this.#server[kMetrics].countVolatileDrop();
      return;
    }
    for (let i = 0; i < encoded.length; i++) {
      this.conn.write(encoded[i] as string | Buffer, opts);
    }
    this.#server[kMetrics].countPacketOut(encoded);
  }

  /** Forgets a closed socket. */
  [kRemoveFromClient](socket: ClientSocket): void {
    if (this.sockets.get(socket.id) !== socket) return;
    this.sockets.delete(socket.id);
    this.#nsps.delete(socket.nsp.name);
  }

  /** `socket.disconnect(true)`: every socket leaves its namespace, then the connection closes. */
  [kDisconnectAll](): void {
    for (const socket of [...this.sockets.values()]) socket.disconnect();
    this.sockets.clear();
    this.#nsps.clear();
    this.#close();
  }

  /** Closes the connection from the server side. */
  #close(): void {
    if (this.conn.readyState === "open") {
      this.#onClose(DISCONNECT_REASON.FORCED_SERVER_CLOSE);
      this.conn.close();
    }
  }

  #onClose(reason: DisconnectReason, description?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#connectTimer !== undefined) clearTimeout(this.#connectTimer);
    for (const socket of [...this.sockets.values()]) socket[kOnClose](reason, description);
    this.sockets.clear();
    this.#nsps.clear();
    this.conn.off("message", Client.#connOnMessage);
    this.conn.off("close", Client.#connOnClose);
    this.#decoder.destroy();
  }

  // Listeners without a closure per connection: each finds its Client through a symbol on the
  // emitter (ws's `this[kWebSocket]` pattern).
  static #connOnMessage(this: EngineSocketWithClient, data: string | Buffer): void {
    const client = this[kClient];
    if (client !== undefined) client.#onMessage(data);
  }

  static #connOnClose(this: EngineSocketWithClient, reason: string, description?: unknown): void {
    const client = this[kClient];
    if (client !== undefined) client.#onClose(reason as DisconnectReason, description);
  }

  static #decoderOnDecoded(this: DecoderLike, packet: Packet): void {
    const client = this[kClient];
    if (client !== undefined) client.#onDecoded(packet);
  }

  static {
    installClientCompat(this);
  }
}
