/**
 * @module namespace/namespace — a namespace: its connected sockets, its connection middleware
 * chain, its adapter, and the broadcast entry points (`nsp.to(room).emit(…)`).
 */
import type { MovedSocketState } from "../socket/moved-state.js";
import { debuglog } from "../util/debug.js";
import { RESERVED_EVENTS } from "../constants.js";
import { createError } from "../errors.js";
import { describeValue } from "../util/options.js";
import type { Packet, Room, Session, SocketId } from "../adapter/types.js";
import type { AdapterLike, AdapterNamespace, ClientNamespace, NamespaceHost, SocketHost } from "../contracts.js";
import { BroadcastOperator, runAdapterHook, type RemoteSocket } from "../broadcast/broadcast-operator.js";
import {
  StrictEventEmitter,
  type AckResult,
  type AllButLast,
  type DecorateAcknowledgementsWithTimeoutAndMultipleResponses,
  type DefaultEventsMap,
  type DefaultSocketData,
  type EventNames,
  type EventNamesWithAck,
  type EventParams,
  type EventsMap,
  type RemoveAcknowledgements,
} from "../events/typed-events.js";
import { runMiddlewares, type Middleware } from "../middleware/compose.js";
import {
  kAddClient,
  kAddMoved,
  kExpectAcks,
  kConnectError,
  kCreateAdapter,
  kDiscard,
  kInitAdapter,
  kNextAckId,
  kOnConnect,
  kOnServerSideEmit,
  kRemoveSocket,
  kSetOnEmpty,
} from "../contracts.js";
// cycle: `nsp.server` is typed as the public Server (socket.io's API); the namespace itself calls
// its server only through the NamespaceHost contract, and imports nothing of it at run time
import type { Server } from "../server.js";
import type { Client } from "../socket/client.js";
import { Socket } from "../socket/socket.js";
import { installNamespaceCompat } from "../compat/namespace.js";
import type { SocketIoNamespaceMembers } from "../compat/members.js";

const debug = debuglog("socketeer:namespace");

/** Lifecycle events of a Namespace. */
export interface NamespaceReservedEventsMap<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> {
  connect: (socket: Socket<L, E, S, D>) => void;
  connection: (socket: Socket<L, E, S, D>) => void;
}

/** An error a connection middleware passes to `next`: `data` reaches the client too. */
export interface ExtendedError extends Error {
  data?: unknown;
}

/** A connection middleware: `next(err)` refuses the connection with CONNECT_ERROR. */
export type NamespaceMiddleware<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> = (
  socket: Socket<L, E, S, D>,
  next: (err?: ExtendedError) => void,
) => void;

function rethrow(err: unknown): never {
  throw err;
}

function isRecoveryAuth(auth: unknown): auth is { pid: string; offset: string } {
  return (
    typeof auth === "object" &&
    auth !== null &&
    typeof (auth as { pid?: unknown }).pid === "string" &&
    typeof (auth as { offset?: unknown }).offset === "string"
  );
}

/** socket.io's members adapters read (`nsp._ids`, `nsp._onServerSideEmit`): core/compat/. */
export interface Namespace<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = DefaultSocketData,
> extends SocketIoNamespaceMembers {}

/**
 * A namespace: `io.of("/admin")`.
 *
 * @example
 * const admin = io.of("/admin");
 * admin.use((socket, next) => (socket.handshake.auth.token ? next() : next(new Error("unauthorized"))));
 * admin.on("connection", (socket) => admin.emit("joined", socket.id));
 */
export class Namespace<
    ListenEvents extends EventsMap = DefaultEventsMap,
    EmitEvents extends EventsMap = ListenEvents,
    ServerSideEvents extends EventsMap = DefaultEventsMap,
    SocketData = DefaultSocketData,
  >
  extends StrictEventEmitter<
    ServerSideEvents,
    RemoveAcknowledgements<EmitEvents>,
    NamespaceReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >
  implements AdapterNamespace, ClientNamespace, SocketHost
{
  /** The namespace name, e.g. `/admin`. */
  readonly name: string;
  /** The connected sockets, by id. */
  readonly sockets = new Map<SocketId, Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  /** The server. */
  readonly server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The adapter (rooms and broadcasts). */
  adapter: AdapterLike;

  // the server, as this class uses it (the public `server` is the same object)
  readonly #host: NamespaceHost;
  #fns: Middleware<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>[] = [];
  #ids = 0;
  #onEmpty: (() => void) | undefined;

  /**
   * Created by `io.of(name)`; not meant to be constructed by users.
   *
   * @param server the server
   * @param name the namespace name
   */
  constructor(server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, name: string) {
    super();
    this.server = server;
    this.#host = server;
    this.name = name;
    const adapter = (this.adapter = this.createAdapter());
    runAdapterHook(adapter, () => adapter.init());
  }

  /** Builds this namespace's adapter (the server's `adapter` option). */
  protected createAdapter(): AdapterLike {
    return this.#host[kCreateAdapter](this);
  }

  /** Replaces the adapter after `io.adapter(newAdapter)`. */
  [kInitAdapter](): void {
    const old = this.adapter;
    runAdapterHook(old, () => old.close());
    const adapter = (this.adapter = this.createAdapter());
    runAdapterHook(adapter, () => adapter.init());
  }

  /**
   * Adds a connection middleware.
   *
   * @throws SKT_ERR_INVALID_ARG when `fn` is not a function (thrown here, not at the next connection)
   * @example
   * nsp.use((socket, next) => next(new Error("nope")));
   */
  use(fn: NamespaceMiddleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): this {
    if (typeof fn !== "function") throw createError("SKT_ERR_INVALID_ARG", "use(fn)", "a function", describeValue(fn));
    this.#fns.push(fn as Middleware<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>);
    return this;
  }

  /** The middlewares (for children of a dynamic namespace). */
  protected get middlewares(): readonly Middleware<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>[] {
    return this.#fns;
  }

  #operator(): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.adapter);
  }

  /** Targets the sockets in `room`. */
  to(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().to(room);
  }

  /** Same as {@link to}. */
  in(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().in(room);
  }

  /** Targets every socket except those in `room`. */
  except(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().except(room);
  }

  /**
   * Emits to every socket of the namespace.
   *
   * @throws SKT_ERR_SOCKET_RESERVED_EVENT for a reserved event name
   */
  override emit<Ev extends EventNames<RemoveAcknowledgements<EmitEvents>>>(
    ev: Ev,
    ...args: EventParams<RemoveAcknowledgements<EmitEvents>, Ev>
  ): boolean {
    return (this.#operator().emit as (ev: string | symbol, ...a: unknown[]) => boolean)(ev, ...(args as unknown[]));
  }

  /** Emits to every socket and resolves with their answers (rejects after `timeout(ms)`). */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<AckResult<EmitEvents, Ev>> {
    return this.#operator().emitWithAck(ev, ...args);
  }

  /** Sends a `message` event to every socket. */
  send(...args: EventParams<EmitEvents, "message">): this {
    (this.#operator().emit as (ev: string, ...a: unknown[]) => boolean)("message", ...(args as unknown[]));
    return this;
  }

  /** Same as {@link send}. */
  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  /** Sets whether to compress the next broadcast. */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().compress(compress);
  }

  /** The next broadcast is dropped for sockets that are not writable. */
  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().volatile;
  }

  /** Only this node's sockets. */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().local;
  }

  /** Sets the ack timeout of the next broadcast. */
  timeout(ms: number): BroadcastOperator<DecorateAcknowledgementsWithTimeoutAndMultipleResponses<EmitEvents>, SocketData> {
    return this.#operator().timeout(ms);
  }

  /** @returns the ids of every socket (deprecated in socket.io; prefer fetchSockets) */
  allSockets(): Promise<Set<SocketId>> {
    return this.#operator().allSockets();
  }

  /** @returns every socket of the namespace, local or remote */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.#operator().fetchSockets();
  }

  /** Makes every socket join `room`. */
  socketsJoin(room: Room | Room[]): void {
    this.#operator().socketsJoin(room);
  }

  /** Makes every socket leave `room`. */
  socketsLeave(room: Room | Room[]): void {
    this.#operator().socketsLeave(room);
  }

  /** Disconnects every socket. */
  disconnectSockets(close = false): void {
    this.#operator().disconnectSockets(close);
  }

  /**
   * Sends an event to the other servers of the cluster (a no-op with the in-memory adapter;
   * an ack, if given, is called with no responses).
   *
   * @throws SKT_ERR_SOCKET_RESERVED_EVENT for a reserved event name
   */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(
    ev: Ev,
    ...args: EventParams<DecorateAcknowledgementsWithTimeoutAndMultipleResponses<ServerSideEvents>, Ev>
  ): boolean {
    if (typeof ev === "string" && RESERVED_EVENTS.has(ev)) throw createError("SKT_ERR_SOCKET_RESERVED_EVENT", ev);
    this.adapter.serverSideEmit([ev, ...(args as unknown[])]);
    return true;
  }

  /** Sends an event to the other servers and resolves with their answers. */
  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<ServerSideEvents, Ev>>
  ): Promise<AckResult<ServerSideEvents, Ev>[]> {
    return new Promise((resolve, reject) => {
      const cb = (err: Error | null, responses: unknown[]): void => (err ? reject(err) : resolve(responses as AckResult<ServerSideEvents, Ev>[]));
      (this.serverSideEmit as (ev: string | symbol, ...a: unknown[]) => boolean)(ev, ...(args as unknown[]), cb);
    });
  }

  // ── internal seams ─────────────────────────────────────────────────────────

  /** A fresh ack id for this namespace. */
  [kNextAckId](): number {
    return this.#ids++;
  }

  /** An event another server sent with serverSideEmit (called by cluster adapters). */
  [kOnServerSideEmit](args: unknown[]): void {
    this.emitUntyped(...(args as [string, ...unknown[]]));
  }

  /** Called when the last socket leaves (cleanupEmptyChildNamespaces). */
  [kSetOnEmpty](fn: (() => void) | undefined): void {
    this.#onEmpty = fn;
  }

  /**
   * Admits a client: restores its session if it asks to and can, runs the middlewares, then
   * connects it.
   */
  [kAddClient](
    client: Client<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    auth: unknown,
    onConnect: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
  ): void {
    const recovery = this.#host.recovery;
    if (recovery === undefined || !isRecoveryAuth(auth)) {
      this.#admit(new Socket(this, client, auth), client, onConnect, false);
      return;
    }
    // a socket.io-adapter base class answers null directly, and may throw: both become a promise
    new Promise<Session | null>((resolve) => resolve(this.adapter.restoreSession(auth.pid, auth.offset))).then(
      (session) => {
        if (!client.isOpen) return;
        try {
          if (session === null) this.#admit(new Socket(this, client, auth), client, onConnect, false);
          else this.#admit(new Socket(this, client, auth, session), client, onConnect, recovery.skipMiddlewares);
        } catch (err) {
          // A `connection` listener threw: the application's exception surfaces as uncaught, as
          // it does without recovery, instead of becoming an unhandled rejection here.
          process.nextTick(rethrow, err);
        }
      },
      (err: unknown) => {
        if (debug.enabled) debug("session restore failed: %s", err);
        if (client.isOpen) this.#admit(new Socket(this, client, auth), client, onConnect, false);
      },
    );
  }

  /**
   * Admits a socket moved in from another node (no sticky sessions): restored as on a recovery
   * (`recovered`, id, rooms, data; middlewares skipped unless connectionStateRecovery's
   * `skipMiddlewares` is false), its handshake kept, no CONNECT sent (the client is connected).
   */
  [kAddMoved](
    client: Client<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    state: MovedSocketState,
    forwardAck: (id: number, args: unknown[]) => void,
    onDone: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | undefined) => void,
  ): void {
    const session = { sid: state.id, pid: state.pid, rooms: state.rooms, data: state.data, missedPackets: [] } as unknown as Session;
    const handshake = Object.freeze({ ...state.handshake });
    const socket = new Socket(this, client, handshake.auth, session, handshake);
    socket[kExpectAcks](state.acks, forwardAck);
    // this node's ack ids for the socket must not meet the old node's
    for (const id of state.acks) if (id >= this.#ids) this.#ids = id + 1;
    this.#admit(socket, client, onDone, this.#host.recovery?.skipMiddlewares ?? true, () => onDone(undefined));
  }

  #admit(
    socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    client: Client<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    onConnect: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
    skipMiddlewares: boolean,
    onRefused?: () => void,
  ): void {
    const connect = (err?: Error): void => {
      if (!client.isOpen) {
        // The connection went away while the middlewares ran (a restored socket joined rooms).
        this.#discard(socket);
        return;
      }
      if (err !== undefined) {
        this.#discard(socket);
        socket[kConnectError](err);
        onRefused?.();
        return;
      }
      this.sockets.set(socket.id, socket);
      socket[kOnConnect]();
      onConnect(socket);
      this.emitReserved("connect", socket);
      this.emitReserved("connection", socket);
    };
    if (skipMiddlewares) connect();
    else runMiddlewares(this.#fns, socket, connect);
  }

  /**
   * A socket that will never connect. An empty dynamic child created for it is removed
   * (cleanupEmptyChildNamespaces), as socket.io does for a refused connection.
   */
  #discard(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    socket[kDiscard]();
    if (this.sockets.size === 0 && this.#onEmpty !== undefined) this.#onEmpty();
  }

  /** Forgets a closed socket. */
  [kRemoveSocket](socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    if (this.sockets.get(socket.id) !== socket) return;
    this.sockets.delete(socket.id);
    if (this.sockets.size === 0 && this.#onEmpty !== undefined) this.#onEmpty();
  }

  static {
    installNamespaceCompat(this, {
      peekAckId: (nsp) => nsp.#ids,
      setAckId: (nsp, id) => {
        nsp.#ids = id;
      },
    });
  }
}

export type { Packet };
