/**
 * @module namespace/main-namespace-facade — the part of the Server that is the main namespace's
 * API (`io.emit`, `io.to`, `io.use`, `io.fetchSockets`…) and the listener delegation that makes
 * `io.on("connection")` and server-side events land on the main namespace, as in socket.io.
 */
import type { Room, SocketId } from "../adapter/types.js";
import type { BroadcastOperator, RemoteSocket } from "../broadcast/broadcast-operator.js";
import {
  StrictEventEmitter,
  type AckResult,
  type AllButLast,
  type DecorateAcknowledgementsWithTimeoutAndMultipleResponses,
  type EventNames,
  type EventNamesWithAck,
  type EventParams,
  type EventsMap,
  type RemoveAcknowledgements,
  type ReservedOrUserEventNames,
  type ReservedOrUserListener,
} from "../events/typed-events.js";
import type { Socket } from "../socket/socket.js";
import type { Namespace, NamespaceMiddleware } from "./namespace.js";

/** Lifecycle events of the Server (plus its main namespace's `connect`/`connection`). */
export interface ServerReservedEventsMap<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> {
  connect: (socket: Socket<L, E, S, D>) => void;
  connection: (socket: Socket<L, E, S, D>) => void;
  new_namespace: (namespace: Namespace<L, E, S, D>) => void;
}

type ServerListenNames<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> = ReservedOrUserEventNames<
  ServerReservedEventsMap<L, E, S, D>,
  S
>;
type ServerListener<
  L extends EventsMap,
  E extends EventsMap,
  S extends EventsMap,
  D,
  Ev extends ServerListenNames<L, E, S, D>,
> = ReservedOrUserListener<ServerReservedEventsMap<L, E, S, D>, S, Ev>;
type Listener = (...args: never[]) => void;

/** The Server's base: everything that forwards to the main namespace `/`. */
export abstract class MainNamespaceFacade<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> extends StrictEventEmitter<
  ServerSideEvents,
  RemoveAcknowledgements<EmitEvents>,
  ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
> {
  /** The main namespace, `/`. */
  abstract readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;

  // ── the main namespace's API ───────────────────────────────────────────────

  /** Adds a connection middleware to the main namespace. */
  use(fn: NamespaceMiddleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): this {
    this.sockets.use(fn);
    return this;
  }

  /** Targets the sockets in `room`. */
  to(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.to(room);
  }

  /** Same as {@link to}. */
  in(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.in(room);
  }

  /** Targets every socket except those in `room`. */
  except(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.except(room);
  }

  /**
   * Emits to every socket of the main namespace.
   *
   * @throws SKT_ERR_SOCKET_RESERVED_EVENT for a reserved event name
   */
  override emit<Ev extends EventNames<RemoveAcknowledgements<EmitEvents>>>(
    ev: Ev,
    ...args: EventParams<RemoveAcknowledgements<EmitEvents>, Ev>
  ): boolean {
    return this.sockets.emit(ev, ...args);
  }

  /** Emits to every socket and resolves with their answers. */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<AckResult<EmitEvents, Ev>> {
    return this.sockets.emitWithAck(ev, ...args);
  }

  /** Sends a `message` event to every socket. */
  send(...args: EventParams<EmitEvents, "message">): this {
    this.sockets.send(...args);
    return this;
  }

  /** Same as {@link send}. */
  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  /** Sets whether to compress the next broadcast. */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.compress(compress);
  }

  /** The next broadcast is dropped for sockets that are not writable. */
  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.volatile;
  }

  /** Only this node's sockets. */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.local;
  }

  /** Sets the ack timeout of the next broadcast. */
  timeout(ms: number): BroadcastOperator<DecorateAcknowledgementsWithTimeoutAndMultipleResponses<EmitEvents>, SocketData> {
    return this.sockets.timeout(ms);
  }

  /** @returns the ids of every socket of the main namespace */
  allSockets(): Promise<Set<SocketId>> {
    return this.sockets.allSockets();
  }

  /** @returns every socket of the main namespace, local or remote */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.sockets.fetchSockets();
  }

  /** Makes every socket join `room`. */
  socketsJoin(room: Room | Room[]): void {
    this.sockets.socketsJoin(room);
  }

  /** Makes every socket leave `room`. */
  socketsLeave(room: Room | Room[]): void {
    this.sockets.socketsLeave(room);
  }

  /** Disconnects every socket of the main namespace. */
  disconnectSockets(close = false): void {
    this.sockets.disconnectSockets(close);
  }

  /** Sends an event to the other servers of the cluster. */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(
    ev: Ev,
    ...args: EventParams<DecorateAcknowledgementsWithTimeoutAndMultipleResponses<ServerSideEvents>, Ev>
  ): boolean {
    return this.sockets.serverSideEmit(ev, ...args);
  }

  /** Sends an event to the other servers and resolves with their answers. */
  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<ServerSideEvents, Ev>>
  ): Promise<AckResult<ServerSideEvents, Ev>[]> {
    return this.sockets.serverSideEmitWithAck(ev, ...args);
  }

  // Listeners other than `new_namespace` go to the main namespace, as in socket.io, so that
  // `io.on("connection")` and server-side events work.
  #target(ev: string | symbol): StrictEventEmitter<EventsMap, EventsMap, EventsMap> | undefined {
    return ev === "new_namespace" ? undefined : (this.sockets as unknown as StrictEventEmitter<EventsMap, EventsMap, EventsMap>);
  }

  override on<Ev extends ServerListenNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    const target = this.#target(ev);
    if (target === undefined) return super.on(ev, listener as never);
    target.on(ev as string, listener as Listener);
    return this;
  }

  override once<Ev extends ServerListenNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    const target = this.#target(ev);
    if (target === undefined) return super.once(ev, listener as never);
    target.once(ev as string, listener as Listener);
    return this;
  }

  override off<Ev extends ServerListenNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    const target = this.#target(ev);
    if (target === undefined) return super.off(ev, listener as never);
    target.off(ev as string, listener as Listener);
    return this;
  }

  override addListener(ev: string | symbol, listener: (...args: never[]) => void): this {
    return this.on(ev as never, listener as never);
  }

  override removeListener(ev: string | symbol, listener: (...args: never[]) => void): this {
    return this.off(ev as never, listener as never);
  }

  override removeAllListeners(ev?: string | symbol): this {
    if (ev === undefined) {
      super.removeAllListeners();
      this.sockets.removeAllListeners();
    } else if (this.#target(ev) === undefined) super.removeAllListeners(ev);
    else this.sockets.removeAllListeners(ev);
    return this;
  }

  override listeners<Ev extends ServerListenNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
  ): ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>[] {
    const target = this.#target(ev);
    const list = target === undefined ? super.listeners(ev) : target.listeners(ev as string);
    return list as ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>[];
  }

  override listenerCount(ev: string | symbol): number {
    const target = this.#target(ev);
    return target === undefined ? super.listenerCount(ev) : target.listenerCount(ev);
  }
}
