/**
 * @module compat/members — the socket.io surface that code written for socket.io reads on the
 * server's objects, in one place: what `socket.io-adapter` 2.5.x (and every adapter built on it:
 * @socket.io/redis-adapter, redis-streams, postgres, cluster), `@socket.io/admin-ui` and apps in
 * the wild call, with socket.io's semantics. socket.io marks several of them private (`_nsps`,
 * `_ids`, `_onServerSideEmit`); they are kept because the ecosystem depends on them.
 *
 * Each class declares the interface below next to itself (`export interface Socket<…> extends
 * SocketIoSocketMembers {}`: declaration merging) and installs the members from its
 * `compat/<class>.ts` (non-enumerable prototype members, reaching private state only through the
 * accessors the class lends in its `static {}` block). Nothing here imports the classes. Our own
 * in-memory adapter keeps its symbol-keyed seams (`core/contracts.ts`); nothing here is on its path.
 */
import type { BroadcastFlags, EncodedFrame, Packet, Room, WriteOptions } from "../adapter/types.js";
import type { Server as Engine } from "../engine/engine.js";
import type { ServerOptions } from "../options.js";
import type { AckCallback } from "../socket/acks.js";

/**
 * `io.opts`: the options as given, with `path`, `serveClient`, `connectTimeout`,
 * `cleanupEmptyChildNamespaces` and `connectionStateRecovery` at their resolved values (socket.io
 * completes `connectionStateRecovery` with its defaults the same way).
 */
export interface SocketIoServerOptions extends Readonly<Omit<ServerOptions, "connectionStateRecovery">> {
  /** Set when connection state recovery is enabled (cluster adapters test it). */
  readonly connectionStateRecovery?: {
    readonly maxDisconnectionDuration: number;
    readonly skipMiddlewares: boolean;
  };
}

/** What code written for socket.io reads on the `Server`. */
export interface SocketIoServerMembers<NamespaceType> {
  /**
   * The namespaces by name, dynamic children included (the usual way to list namespaces; read by
   * `@socket.io/admin-ui`). Read it, do not change it: use `io.of()` to create a namespace.
   */
  readonly _nsps: Map<string, NamespaceType>;
  /** The Engine.IO server: socket.io's old name of `io.engine`. */
  readonly eio: Engine;
  /** The options, as `nsp.server.opts` (cluster adapters read `opts.connectionStateRecovery`). */
  readonly opts: SocketIoServerOptions;
}

/** What `socket.io-adapter` reads on the namespace it serves. */
export interface SocketIoNamespaceMembers {
  /**
   * The namespace's ack id counter: an adapter takes a broadcast's ack id with `nsp._ids++`
   * (shared with the namespace's sockets, so one id never serves two pending acks).
   */
  _ids: number;
  /**
   * Emits an event another server sent with `serverSideEmit` to this namespace's listeners; the
   * last argument may be the ack callback the cluster adapter answers with.
   */
  _onServerSideEmit(args: unknown[]): void;
}

/** What adapters and apps read on a `Socket`. */
export interface SocketIoSocketMembers {
  /**
   * The pending acks by packet id. An adapter registers a broadcast's ack with
   * `socket.acks.set(id, ack)`; the answer from the client calls it and removes it.
   */
  readonly acks: Map<number, AckCallback>;
  /** Tells the `onAnyOutgoing` listeners about a packet an adapter is about to write. */
  notifyOutgoingListeners(packet: Packet): void;
  /** The next broadcast from this socket (`socket.local.to(room).emit()`) stays on this node. */
  readonly local: this;
  /** Leaves every room, its own included (socket.io v2's public method). */
  leaveAll(): void;
}

/** What adapters and the admin UI use of a socket's `Client`. */
export interface SocketIoClientMembers {
  /** The Engine.IO session id (`conn.id`); `@socket.io/admin-ui` shows its start as the client id. */
  readonly id: string;
  /**
   * Writes packets an adapter encoded once for a whole broadcast, through the normal write path
   * (volatile, compress, the slow-consumer buffer caps and metrics apply). A `wsPreEncodedFrame`
   * (a WebSocket frame built with ws's `Sender.frame`) is recognised by the engine and its bytes
   * are what WebSocket recipients get, the same buffer for all of them.
   *
   * @param encodedPackets one encoded packet or the frames of one packet
   * @param opts `{ preEncoded, volatile, compress, wsPreEncodedFrame }`
   */
  writeToEngine(encodedPackets: EncodedFrame | readonly EncodedFrame[], opts: WriteOptions): void;
}

/** What libraries read on a `BroadcastOperator` (read-only; the operator stays immutable). */
export interface SocketIoBroadcastOperatorMembers {
  /** The targeted rooms (empty: every socket). */
  readonly rooms: ReadonlySet<Room>;
  /** The excluded rooms. */
  readonly exceptRooms: ReadonlySet<Room>;
  /** The emit flags (`volatile`, `compress`, `local`, `timeout`…). */
  readonly flags: Readonly<BroadcastFlags>;
}

/**
 * Defines compatibility members on a prototype: non-enumerable (they do not show in
 * `Object.keys` or spreads, as socket.io's private fields would not matter to a user), and
 * configurable so that a subclass may redefine one.
 *
 * @param proto the prototype
 * @param members the getters and methods
 */
export function defineMembers(proto: object, members: Record<string, PropertyDescriptor>): void {
  for (const name of Object.keys(members)) {
    Object.defineProperty(proto, name, { enumerable: false, configurable: true, ...members[name] });
  }
}
