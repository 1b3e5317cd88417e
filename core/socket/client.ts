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
import { kConsumeClose, kConsumeMessage, kConsumer, kSetConsumer } from "../engine/contracts.js";
import type { DefaultEventsMap, DefaultSocketData, EventsMap } from "../events/typed-events.js";
import {
  kAddClient,
  kAddMoved,
  kMoveState,
  kConnectTimeout,
  kCreateDecoder,
  kSharedDecoder,
  kDisconnectAll,
  kOnClose,
  kOnError,
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
import { isV2Client, parseV2Namespace } from "./v2-clients.js";
import { kMovedIn, type MovedSession } from "../engine/remote-sessions.js";
import { asMovedClientState, type HeldAck, type MovedClientState } from "./moved-state.js";
import { withBit } from "../util/bits.js";

const debug = debuglog("socketeer:client");
const kClient = Symbol("socketeer.client");

/** A connection that is not our engine's session (e.g. one an app emits on the engine). */
type ForeignConnection = EngineSocket & { [kClient]?: Client; [kSetConsumer]?: unknown };
// marks the server's shared decoder once Client listens to it
const kSharedListening = Symbol("socketeer.client.sharedListening");

/** Whether a Socket.IO packet's text starts a binary packet (BINARY_EVENT 5, BINARY_ACK 6). */
function isBinaryPacketText(text: string): boolean {
  const type = text.charCodeAt(0);
  return type === 0x35 || type === 0x36;
}

function rethrow(err: unknown): never {
  throw err;
}

// the bits of Client#bits
const CLOSED = 1;
const IN_HANDLER = 2;

/** The decoder shape of the `parser` option (socket.io-parser's). */
interface DecoderLike {
  add(chunk: unknown): void;
  destroy(): void;
  on(event: "decoded", fn: (packet: never) => void): unknown;
  [kClient]?: Client;
  [kSharedListening]?: true;
}


/**
 * The Client of an engine session, if it has one.
 *
 * @param conn the engine session
 * @returns its Client
 */
export function clientOf(conn: EngineSocket): Client | undefined {
  const consumer = (conn as EngineSocket & { [kConsumer]?: unknown })[kConsumer];
  return consumer instanceof Client ? consumer : (conn as ForeignConnection)[kClient];
}

/**
 * Owner side of a move (no sticky sessions): the state of a connection's sockets, their pending
 * acks taken out (they stay here, answered through the cluster).
 *
 * @param conn the engine session
 * @returns the state and the held acks (no sockets when the session has no Client)
 */
export function exportMoved(conn: EngineSocket): { state: MovedClientState; acks: HeldAck[] } {
  const state: MovedClientState = { sockets: [] };
  const acks: HeldAck[] = [];
  for (const socket of clientOf(conn)?.sockets.values() ?? []) {
    const one = socket[kMoveState]();
    state.sockets.push(one.state);
    acks.push(...one.acks);
  }
  return { state, acks };
}

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
  // The connection's sockets: the only one in #one (the common case: one namespace), a Map
  // from the second one on or once `sockets` was read (issue 18: no Map per idle connection).
  #one: ClientSocket | undefined;
  readonly #server: ClientHost;
  // The connect timer until a first namespace is joined (it is cleared then), the namespaces
  // joined during the current turn after that: never both, so one field (issue 18; see
  // #connectTimer, #justJoined)
  #joining: NodeJS.Timeout | Set<string> | undefined;
  // CLOSED, IN_HANDLER: one small integer instead of two fields (issue 18)
  #bits = 0;
  // what few connections need (several namespaces, binary packets, a move, a namespace left),
  // in one record made on first use: one field per connection instead of four (issue 18)
  #rare: RareClientState | undefined;

  // closes a connection that joins no namespace in time (socket.io's connectTimeout)
  get #connectTimer(): NodeJS.Timeout | undefined {
    const joining = this.#joining;
    return joining instanceof Set ? undefined : joining;
  }

  set #connectTimer(timer: NodeJS.Timeout | undefined) {
    if (timer !== undefined || !(this.#joining instanceof Set)) this.#joining = timer;
  }

  // Namespaces joined during the current turn of the event loop (see #onDecoded); made when
  // first needed and dropped once empty, so an idle connection holds no Set (issue 18).
  get #justJoined(): Set<string> | undefined {
    const joining = this.#joining;
    return joining instanceof Set ? joining : undefined;
  }

  set #justJoined(joined: Set<string> | undefined) {
    if (joined !== undefined || this.#joining instanceof Set) this.#joining = joined;
  }

  get #closed(): boolean {
    return (this.#bits & CLOSED) !== 0;
  }

  set #closed(value: boolean) {
    this.#bits = withBit(this.#bits, CLOSED, value);
  }

  // set while a decoded packet is dispatched to application code (see #onMessage)
  get #inHandler(): boolean {
    return (this.#bits & IN_HANDLER) !== 0;
  }

  set #inHandler(value: boolean) {
    this.#bits = withBit(this.#bits, IN_HANDLER, value);
  }

  // sets a field of #rare; clearing one of a record never made makes none
  #setRare<K extends keyof RareClientState>(key: K, value: RareClientState[K]): void {
    if (value !== undefined || this.#rare !== undefined) (this.#rare ??= new RareClientState())[key] = value;
  }

  // the sockets from the second one on (see #one)
  get #many(): Map<SocketId, ClientSocket> | undefined {
    return this.#rare?.many;
  }

  set #many(value: Map<SocketId, ClientSocket> | undefined) {
    this.#setRare("many", value);
  }

  // The connection's own decoder: with the default parser, made only when a binary packet starts
  // (its attachments are state of this connection); other packets go through the server's
  // shared decoder, which then holds no state (issue 18: heap per idle connection).
  get #decoder(): DecoderLike | undefined {
    return this.#rare?.decoder;
  }

  set #decoder(value: DecoderLike | undefined) {
    this.#setRare("decoder", value);
  }

  // moved in from another node: the client's messages wait until its sockets are restored
  get #restoring(): (string | Buffer)[] | undefined {
    return this.#rare?.restoring;
  }

  set #restoring(value: (string | Buffer)[] | undefined) {
    this.#setRare("restoring", value);
  }

  // namespaces left during the current turn of the event loop (see #onDecoded)
  get #justLeft(): Set<string> | undefined {
    return this.#rare?.justLeft;
  }

  set #justLeft(value: Set<string> | undefined) {
    this.#setRare("justLeft", value);
  }

  /**
   * Created by the Server for each Engine.IO connection.
   *
   * @param server the server
   * @param conn the Engine.IO connection
   */
  constructor(server: ClientHost, conn: EngineSocket) {
    this.#server = server;
    this.conn = conn;
    if (server[kSharedDecoder] === undefined) this.#ownDecoder();
    // called by the session before its own listeners (no listener table per connection); a
    // connection of another kind is listened to
    if (typeof (conn as ForeignConnection)[kSetConsumer] === "function") conn[kSetConsumer](this);
    else {
      (conn as ForeignConnection)[kClient] = this as unknown as Client;
      conn.on("message", Client.#connOnMessage);
      conn.on("close", Client.#connOnClose);
    }
    const moved = (conn as EngineSocket & { [kMovedIn]?: MovedSession })[kMovedIn];
    if (moved !== undefined) {
      this.#restore(moved);
      return;
    }
    // A connection that joins no namespace in time is closed (socket.io's connectTimeout).
    this.#connectTimer = setTimeout(() => {
      this.#connectTimer = undefined;
      if (this.#count() === 0) this.#close();
    }, server[kConnectTimeout]);
    // a socket.io v2 client (allowEIO3) is in the main namespace without asking for it
    if (isV2Client(conn)) this.#connect("/", {});
  }

  /** Sockets on this connection, by socket id (socket.io's `client.sockets`; the live Map). */
  get sockets(): Map<SocketId, ClientSocket> {
    if (this.#many === undefined) {
      this.#many = new Map();
      if (this.#one !== undefined) this.#many.set(this.#one.id, this.#one);
      this.#one = undefined;
    }
    return this.#many;
  }

  /** How many sockets the connection has. */
  #count(): number {
    return this.#many !== undefined ? this.#many.size : this.#one !== undefined ? 1 : 0;
  }

  /** A copy of the connection's sockets (callers disconnect them while walking). */
  #list(): ClientSocket[] {
    return this.#many !== undefined ? [...this.#many.values()] : this.#one !== undefined ? [this.#one] : [];
  }

  #add(socket: ClientSocket): void {
    if (this.#many === undefined && this.#one === undefined) this.#one = socket;
    else this.sockets.set(socket.id, socket);
  }

  #clear(): void {
    this.#one = undefined;
    this.#many?.clear();
  }

  /** The first HTTP request of the connection. */
  get request(): IncomingMessage {
    return this.conn.request;
  }

  /**
   * A session moved in from another node (no sticky sessions): its sockets are restored in their
   * namespaces; what the client sends meanwhile is decoded once they all are.
   */
  #restore(moved: MovedSession): void {
    const state = asMovedClientState(moved.state);
    if (state === undefined || state.sockets.length === 0) {
      if (debug.enabled) debug("moved session %s without a valid state: closed", this.conn.id);
      this.#close();
      return;
    }
    const queue: (string | Buffer)[] = [];
    this.#restoring = queue;
    let left = state.sockets.length;
    const done = (): void => {
      if (--left > 0 || this.#restoring !== queue) return;
      this.#restoring = undefined;
      // every socket refused (middlewares): nothing left on the connection, as at connectTimeout
      if (this.#count() === 0) return this.#close();
      for (const data of queue) this.#onMessage(data);
    };
    for (const s of state.sockets) {
      this.#server[kResolveNamespace](s.nsp, s.handshake.auth, (nsp) => {
        if (this.#closed) return;
        if (nsp === undefined) {
          this[kWritePacket]({ type: PACKET_TYPE.DISCONNECT, nsp: s.nsp }, {});
          return done();
        }
        // `undefined`: refused by a middleware (the namespace answered DISCONNECT)
        nsp[kAddMoved](this, s, (id, args) => moved.forwardAck(s.nsp, id, args), (socket) => {
          if (socket !== undefined) this.#add(socket);
          done();
        });
      });
    }
  }

  #onMessage(data: string | Buffer): void {
    if (this.#restoring !== undefined) {
      this.#restoring.push(data);
      return;
    }
    this.#server[kMetrics].countFrameIn(data);
    try {
      const own = this.#decoder;
      if (own !== undefined) own.add(data);
      else if (typeof data === "string" && isBinaryPacketText(data)) this.#ownDecoder().add(data);
      else this.#decodeShared(data);
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
      this.#onDecodeError(err as Error);
    }
  }

  /**
   * A packet the decoder refused: as socket.io does, each socket of the connection gets `error`
   * with the decoder's error, then the connection closes (`forced close`). Unlike socket.io,
   * `error` is emitted only where someone listens (socket.io throws ERR_UNHANDLED_ERROR there).
   */
  #onDecodeError(err: Error): void {
    for (const socket of this.#list()) {
      socket[kOnError](err);
    }
    this.#onClose(DISCONNECT_REASON.FORCED_CLOSE, err);
    this.conn.close();
  }

  #onDecoded(packet: Packet): void {
    // Everything from here on runs application code (namespace-creation functions,
    // `new_namespace`, middlewares, `connection` and event listeners): what it throws is the
    // application's exception, never a parse error (see #onMessage).
    this.#inHandler = true;
    const socket = this.#socketIn(packet.nsp);
    if (packet.type === PACKET_TYPE.CONNECT && socket === undefined) {
      if (isV2Client(this.conn)) {
        // A v2 client's CONNECT carries the namespace's query (`/nsp?x=1`); a second one for a
        // joined namespace is ignored, as socket.io does for v2 clients.
        const { name, auth } = parseV2Namespace(packet.nsp);
        if (this.#socketIn(name) === undefined) this.#connect(name, auth);
        this.#inHandler = false;
        return;
      }
      // A CONNECT while the same namespace's middlewares still run is ignored (#connect).
      this.#connect(packet.nsp, packet.data);
      this.#inHandler = false;
      return;
    }
    if (packet.type === PACKET_TYPE.CONNECT && this.#justJoined?.has(packet.nsp) === true) {
      // socket.io-client sends a second CONNECT when connect() is called on a socket that is
      // still connecting (`manager.socket(nsp).connect()` on an open Manager): it comes in the
      // same turn as the first, before the client could have seen our reply. socket.io creates
      // a second socket there; one is enough.
      this.#inHandler = false;
      return;
    }
    if (socket === undefined && this.#justLeft?.has(packet.nsp) === true) {
      // The client left this namespace earlier in the same turn (DISCONNECT then EVENT in one
      // batch): socket.io drops such a packet rather than closing the connection.
      this.#inHandler = false;
      return;
    }
    if (socket === undefined || packet.type === PACKET_TYPE.CONNECT || packet.type === PACKET_TYPE.CONNECT_ERROR) {
      this.#inHandler = false;
      return this.#invalidState(packet);
    }
    if (packet.type === PACKET_TYPE.EVENT || packet.type === PACKET_TYPE.BINARY_EVENT) this.#server[kMetrics].countEventIn();
    socket[kOnPacket](packet);
    this.#inHandler = false;
  }

  /**
   * A packet for a namespace the connection has not joined (an event before CONNECT, or after
   * leaving), or a CONNECT (CONNECT_ERROR) for one it has joined: the connection is closed, as
   * the spec requires ("If the server does not receive a CONNECT packet first, then it MUST close
   * the connection immediately") and as socket.io does (socket.io-client never sends a second
   * CONNECT once connected).
   */
  #invalidState(packet: Packet): void {
    if (debug.enabled) debug("packet type %d for namespace %s in the wrong state", packet.type, packet.nsp);
    this.#close();
  }

  #connect(name: string, auth: unknown): void {
    if (this.#socketIn(name) !== undefined) return;
    try {
      this.#resolveAndAdd(name, auth);
    } catch (err) {
      // A namespace-creation function or a `new_namespace` listener threw before the socket
      // existed: socket.io closes the connection there, so the client is not left waiting for
      // a CONNECT reply until connectTimeout. The exception still surfaces (see #onMessage).
      if (this.#socketIn(name) === undefined) this.#close();
      throw err;
    }
  }

  #resolveAndAdd(name: string, auth: unknown): void {
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
        this.#add(socket);
        (this.#justJoined ??= new Set()).add(name);
        setImmediate(() => {
          if (this.#justJoined?.delete(name) === true && this.#justJoined.size === 0) this.#justJoined = undefined;
        });
      });
    });
  }

  /**
   * The connection's socket in namespace `name`. A connection is in one namespace or a few, so
   * #one (or a walk over #many) replaces a Map by namespace (issue 18: heap per connection).
   */
  #socketIn(name: string): ClientSocket | undefined {
    if (this.#many === undefined) return this.#one?.nsp.name === name ? this.#one : undefined;
    for (const socket of this.#many.values()) if (socket.nsp.name === name) return socket;
    return undefined;
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
    if (opts.volatile === true) {
      if (!this.conn.transport.writable) {
        if (debug.enabled) debug("volatile packet dropped for %s", this.conn.id);
        this.#server[kMetrics].countVolatileDrop();
        return;
      }
      // Decided once for the whole Socket.IO packet, as socket.io does: once the first frame is
      // out the transport is busy, and a BINARY_EVENT's attachments must not be dropped then
      // (the client would take the next binary packet's frames for them).
      opts = { ...opts, volatile: false };
    }
    for (let i = 0; i < encoded.length; i++) {
      this.conn.write(encoded[i] as string | Buffer, opts);
    }
    this.#server[kMetrics].countPacketOut(encoded);
  }

  /** Forgets a closed socket. */
  [kRemoveFromClient](socket: ClientSocket): void {
    if (this.#many !== undefined) {
      if (this.#many.get(socket.id) !== socket) return;
      this.#many.delete(socket.id);
    } else {
      if (this.#one !== socket) return;
      this.#one = undefined;
    }
    const name = socket.nsp.name;
    if (!this.#closed) {
      (this.#justLeft ??= new Set()).add(name);
      setImmediate(() => {
        if (this.#justLeft?.delete(name) === true && this.#justLeft.size === 0) this.#justLeft = undefined;
      });
    }
  }

  /** `socket.disconnect(true)`: every socket leaves its namespace, then the connection closes. */
  [kDisconnectAll](): void {
    for (const socket of this.#list()) socket.disconnect();
    this.#clear();
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
    for (const socket of this.#list()) socket[kOnClose](reason, description);
    this.#clear();
    if (typeof (this.conn as ForeignConnection)[kSetConsumer] === "function") this.conn[kSetConsumer](null);
    else {
      this.conn.off("message", Client.#connOnMessage);
      this.conn.off("close", Client.#connOnClose);
    }
    this.#decoder?.destroy();
  }

  /** @internal A message from the session (engine/contracts.ts `kConsumeMessage`). */
  [kConsumeMessage](data: string | Buffer): void {
    this.#onMessage(data);
  }

  /** @internal The session closed. */
  [kConsumeClose](reason: string, description?: unknown): void {
    this.#onClose(reason as DisconnectReason, description);
  }

  // A foreign connection's listeners, without a closure per connection: each finds its Client
  // through a symbol on the emitter (ws's `this[kWebSocket]` pattern).
  static #connOnMessage(this: ForeignConnection, data: string | Buffer): void {
    const client = this[kClient];
    if (client !== undefined) client.#onMessage(data);
  }

  static #connOnClose(this: ForeignConnection, reason: string, description?: unknown): void {
    const client = this[kClient];
    if (client !== undefined) client.#onClose(reason as DisconnectReason, description);
  }

  /** Makes the connection's own decoder. */
  #ownDecoder(): DecoderLike {
    const decoder = this.#server[kCreateDecoder]() as DecoderLike;
    decoder[kClient] = this as unknown as Client;
    decoder.on("decoded", Client.#decoderOnDecoded as (packet: never) => void);
    this.#decoder = decoder;
    return decoder;
  }

  // the connection whose message the shared decoder is decoding
  static #decoding: Client | undefined;

  /** Decodes with the server's shared decoder (a packet without attachments, or an error). */
  #decodeShared(data: string | Buffer): void {
    const shared = this.#server[kSharedDecoder] as DecoderLike;
    if (shared[kSharedListening] !== true) {
      // its listener, once: it routes each packet to the connection being decoded
      shared[kSharedListening] = true;
      shared.on("decoded", Client.#sharedOnDecoded as (packet: never) => void);
    }
    const previous = Client.#decoding;
    Client.#decoding = this as unknown as Client;
    try {
      shared.add(data);
    } finally {
      Client.#decoding = previous;
    }
  }

  static #sharedOnDecoded(this: DecoderLike, packet: Packet): void {
    const client = Client.#decoding;
    if (client !== undefined) client.#onDecoded(packet);
  }

  static #decoderOnDecoded(this: DecoderLike, packet: Packet): void {
    const client = this[kClient];
    if (client !== undefined) client.#onDecoded(packet);
  }

  static {
    installClientCompat(this);
  }
}

/** What few connections need: see Client#rare. */
class RareClientState {
  many: Map<SocketId, ClientSocket> | undefined = undefined;
  decoder: DecoderLike | undefined = undefined;
  restoring: (string | Buffer)[] | undefined = undefined;
  justLeft: Set<string> | undefined = undefined;
}
