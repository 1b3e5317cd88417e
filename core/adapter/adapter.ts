/**
 * @module adapter/adapter — the default single-process adapter: which socket is in which room,
 * and broadcasts to a set of rooms. A broadcast is encoded once and the same frames are written
 * to every recipient. Cluster adapters extend this class (as @socket.io/redis-adapter extends
 * socket.io-adapter's `Adapter`).
 */
import { EventEmitter } from "node:events";
import { PreparedMessage } from "../engine/prepared-message.js";
import { kNextAckId, kNotifyOutgoing, kWriteEncoded } from "../contracts.js";
import type { BroadcastOptions, EncodedFrame, Packet, PacketEncoder, PrivateSessionId, Room, Session, SessionToPersist, SocketDetails, SocketId, WriteOptions } from "./types.js";
import type { AdapterNamespace, AdapterSocket } from "../contracts.js";

const EMPTY: ReadonlySet<string> = new Set();

/**
 * The in-memory adapter. Emits `create-room(room)`, `delete-room(room)`,
 * `join-room(room, id)` and `leave-room(room, id)`.
 *
 * @example
 * io.of("/").adapter.on("join-room", (room, id) => console.log(`${id} joined ${room}`));
 */
export class Adapter extends EventEmitter {
  /** The namespace this adapter serves. */
  readonly nsp: AdapterNamespace;
  /** Room → ids of the sockets in it. */
  readonly rooms: Map<Room, Set<SocketId>> = new Map();
  /** Socket id → the rooms it is in. */
  readonly sids: Map<SocketId, Set<Room>> = new Map();
  /** The server's encoder (socket.io-parser shape). */
  readonly encoder: PacketEncoder;

  /** @param nsp the namespace this adapter serves */
  constructor(nsp: AdapterNamespace) {
    super();
    this.nsp = nsp;
    this.encoder = nsp.server.encoder;
  }

  /** Called once the namespace is created; cluster adapters subscribe here. */
  init(): Promise<void> | void {}

  /** Called when the namespace or server closes. */
  close(): Promise<void> | void {}

  /** @returns how many servers share this namespace: always 1 here */
  serverCount(): Promise<number> {
    return Promise.resolve(1);
  }

  /**
   * Adds a socket to rooms.
   *
   * @param id the socket id
   * @param rooms the rooms to join
   */
  addAll(id: SocketId, rooms: Set<Room>): Promise<void> | void {
    let own = this.sids.get(id);
    if (own === undefined) {
      own = new Set();
      this.sids.set(id, own);
    }
    for (const room of rooms) {
      own.add(room);
      let members = this.rooms.get(room);
      if (members === undefined) {
        members = new Set();
        this.rooms.set(room, members);
        this.emit("create-room", room);
      }
      if (!members.has(id)) {
        members.add(id);
        this.emit("join-room", room, id);
      }
    }
  }

  /**
   * Removes a socket from one room.
   *
   * @param id the socket id
   * @param room the room to leave
   */
  del(id: SocketId, room: Room): Promise<void> | void {
    this.sids.get(id)?.delete(room);
    this.#removeFromRoom(room, id);
  }

  /** Removes a socket from every room (on disconnection). */
  delAll(id: SocketId): void {
    const own = this.sids.get(id);
    if (own === undefined) return;
    for (const room of own) this.#removeFromRoom(room, id);
    this.sids.delete(id);
  }

  #removeFromRoom(room: Room, id: SocketId): void {
    const members = this.rooms.get(room);
    if (members === undefined || !members.delete(id)) return;
    this.emit("leave-room", room, id);
    if (members.size === 0 && this.rooms.delete(room)) this.emit("delete-room", room);
  }

  /**
   * Sends a packet to every matching socket. The packet is encoded once.
   *
   * @param packet the packet (its `nsp` is set here)
   * @param opts rooms, exceptions and flags
   */
  broadcast(packet: Packet, opts: BroadcastOptions): void {
    packet.nsp = this.nsp.name;
    const encoded = this.encoder.encode(packet);
    const writeOpts = writeOptionsOf(opts, encoded);
    this.apply(opts, (socket) => {
      socket[kNotifyOutgoing](packet);
      socket[kWriteEncoded](encoded, writeOpts);
    });
  }

  /**
   * Sends a packet that expects an ack to every matching socket; one id serves every recipient.
   *
   * @param packet the packet
   * @param opts rooms, exceptions and flags
   * @param clientCountCallback called once with how many sockets were sent the packet
   * @param ack called with each answer
   */
  broadcastWithAck(
    packet: Packet,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void {
    packet.nsp = this.nsp.name;
    // Ack ids come from the namespace-wide counter, so no socket already uses this id.
    const id = this.nsp[kNextAckId]();
    packet.id = id;
    const encoded = this.encoder.encode(packet);
    const writeOpts = writeOptionsOf(opts, encoded);
    let count = 0;
    this.apply(opts, (socket) => {
      count++;
      socket.acks.set(id, ack);
      socket[kNotifyOutgoing](packet);
      socket[kWriteEncoded](encoded, writeOpts);
    });
    clientCountCallback(count);
  }

  /** @returns the ids of the sockets in any of `rooms` (every socket when empty) */
  sockets(rooms: Set<Room>): Promise<Set<SocketId>> {
    const ids = new Set<SocketId>();
    this.apply({ rooms }, (socket) => ids.add(socket.id));
    return Promise.resolve(ids);
  }

  /** @returns the rooms a socket is in, if it is known */
  socketRooms(id: SocketId): Set<Room> | undefined {
    return this.sids.get(id);
  }

  /** @returns the local sockets matching `opts` (a cluster adapter adds other nodes' {@link SocketDetails}) */
  fetchSockets(opts: BroadcastOptions): Promise<(AdapterSocket | SocketDetails)[]> {
    const found: (AdapterSocket | SocketDetails)[] = [];
    this.apply(opts, (socket) => found.push(socket));
    return Promise.resolve(found);
  }

  /** Makes the matching sockets join `rooms`. */
  addSockets(opts: BroadcastOptions, rooms: Room[]): void {
    this.apply(opts, (socket) => void socket.join(rooms));
  }

  /** Makes the matching sockets leave `rooms`. */
  delSockets(opts: BroadcastOptions, rooms: Room[]): void {
    this.apply(opts, (socket) => {
      for (const room of rooms) void socket.leave(room);
    });
  }

  /** Disconnects the matching sockets (`close` also closes their connection). */
  disconnectSockets(opts: BroadcastOptions, close: boolean): void {
    this.apply(opts, (socket) => socket.disconnect(close));
  }

  /**
   * Sends an event to the other servers. There are none with this adapter: an ack, if the
   * last element is a function, is called at once with no error and no responses.
   */
  serverSideEmit(packet: unknown[]): void {
    const last = packet[packet.length - 1];
    if (typeof last === "function") {
      (last as (err: Error | null, responses: unknown[]) => void)(null, []);
    }
  }

  /** Saves a session at disconnection (connection state recovery); a no-op here. */
  persistSession(_session: SessionToPersist): void | Promise<void> {}

  /** Restores a session; always `null` here (see `SessionAwareAdapter`). */
  restoreSession(_pid: PrivateSessionId, _offset: string): Promise<Session | null> {
    return Promise.resolve(null);
  }

  /**
   * Calls `fn` for every local socket matching `opts`, each at most once even when it is in
   * several of the target rooms.
   */
  protected apply(opts: BroadcastOptions, fn: (socket: AdapterSocket) => void): void {
    const except = this.computeExceptSids(opts.except);
    const sockets = this.nsp.sockets;
    if (opts.rooms.size === 1) {
      // one room: its members are distinct, no `seen` set (issue 18: CPU per delivery)
      for (const room of opts.rooms) {
        const members = this.rooms.get(room);
        if (members === undefined) return;
        for (const id of members) {
          if (except.has(id)) continue;
          const socket = sockets.get(id);
          if (socket !== undefined) fn(socket);
        }
      }
      return;
    }
    if (opts.rooms.size > 0) {
      const seen = new Set<SocketId>();
      for (const room of opts.rooms) {
        const members = this.rooms.get(room);
        if (members === undefined) continue;
        for (const id of members) {
          if (seen.has(id) || except.has(id)) continue;
          const socket = sockets.get(id);
          if (socket !== undefined) {
            seen.add(id);
            fn(socket);
          }
        }
      }
      return;
    }
    for (const id of this.sids.keys()) {
      if (except.has(id)) continue;
      const socket = sockets.get(id);
      if (socket !== undefined) fn(socket);
    }
  }

  /** @returns the ids of the sockets in any of the excluded rooms */
  protected computeExceptSids(exceptRooms: Set<Room> | undefined): ReadonlySet<SocketId> {
    if (exceptRooms === undefined || exceptRooms.size === 0) return EMPTY;
    const ids = new Set<SocketId>();
    for (const room of exceptRooms) {
      const members = this.rooms.get(room);
      if (members !== undefined) for (const id of members) ids.add(id);
    }
    return ids;
  }
}

/** The in-memory adapter under the name socket.io-adapter ≥ 2.5 also exports. */
export { Adapter as InMemoryAdapter };

/**
 * The write options of one broadcast, shared by every recipient: when the packet is a single text
 * frame, the engine prepares its WebSocket message once here.
 */
function writeOptionsOf(opts: BroadcastOptions, encoded: readonly EncodedFrame[]): WriteOptions {
  const flags = opts.flags;
  const only = encoded.length === 1 ? encoded[0] : undefined;
  return {
    preEncoded: true,
    volatile: flags?.volatile === true,
    compress: flags?.compress !== false,
    prepared: typeof only === "string" ? PreparedMessage.fromSocketIoText(only) : undefined,
  };
}
