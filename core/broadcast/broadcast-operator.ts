/**
 * @module broadcast/broadcast-operator — the immutable builder behind `io.to(room)`,
 * `nsp.except(room)`, `io.volatile`, `io.timeout(ms)`…: each call returns a new operator; the
 * terminal calls (`emit`, `emitWithAck`, `fetchSockets`, `socketsJoin`…) go to the adapter; and
 * `RemoteSocket`, what `fetchSockets()` returns (an operator targeting one socket id). The two
 * share this file, as in socket.io: each builds the other.
 */
import { debuglog } from "../util/debug.js";
import { PACKET_TYPE, RESERVED_EVENTS } from "../constants.js";
import { createError, isSocketeerError } from "../errors.js";
import type { BroadcastFlags, BroadcastOptions, Packet, Room, SocketDetails, SocketId } from "../adapter/types.js";
export type { SocketDetails };
import type { AdapterLike } from "../contracts.js";
import { installBroadcastOperatorCompat } from "../compat/broadcast-operator.js";
import type { SocketIoBroadcastOperatorMembers } from "../compat/members.js";
import type {
  AckResult,
  DecorateAcknowledgementsWithTimeoutAndMultipleResponses,
  DefaultSocketData,
  EventNames,
  EventParams,
  EventsMap,
  AllButLast,
  EventNamesWithAck,
  DecorateAcknowledgements,
} from "../events/typed-events.js";
import type { Handshake } from "../socket/handshake.js";

const debug = debuglog("socketeer:adapter");

/** Flags of an operator: the adapter's broadcast flags (the name stays for the public API). */
export type OperatorFlags = BroadcastFlags;

type Ack = (...args: unknown[]) => void;

/** The error of a broadcast whose acks did not all come in time: the answers received so far. */
export interface BroadcastAckTimeoutError extends Error {
  responses: unknown[];
}

/**
 * Reports an error an adapter threw while broadcasting, instead of letting it reach the code that
 * emitted (an event listener: the process would crash) or vanish: the adapter's `error` event when
 * someone listens, the `socketeer:adapter` debug log otherwise. Recipients the adapter had not
 * written to yet do not get the packet. A payload the encoder refuses (`SKT_ERR_PARSER_*`, e.g. a
 * circular object) is the caller's error, not the adapter's: it is thrown back, as socket.io does.
 *
 * @param adapter the adapter that threw
 * @param err what it threw
 * @throws err itself when it is a SKT_ERR_PARSER_* error
 */
export function reportAdapterError(adapter: AdapterLike, err: unknown): void {
  if (isSocketeerError(err) && err.code.startsWith("SKT_ERR_PARSER_")) throw err;
  const emitter = adapter as Partial<Pick<NodeJS.EventEmitter, "emit" | "listenerCount">>;
  if (typeof emitter.listenerCount === "function" && emitter.listenerCount("error") > 0) {
    emitter.emit!("error", err);
    return;
  }
  if (debug.enabled) debug("adapter of %s failed: %s", adapter.nsp.name, err);
}

/**
 * Runs an adapter call the server makes on its own (`init`, `close`, `persistSession`, a socket's
 * own-room `addAll`) whose failure must not crash the process: a throw or a rejected promise (e.g.
 * a cluster adapter that cannot reach its store) is reported as {@link reportAdapterError} does.
 *
 * @param adapter the adapter
 * @param hook calls the hook
 */
export function runAdapterHook(adapter: AdapterLike, hook: () => Promise<void> | void): void {
  try {
    const result = hook();
    if (result !== undefined && typeof (result as Promise<void>).then === "function") {
      (result as Promise<void>).then(undefined, (err: unknown) => reportAdapterError(adapter, err));
    }
  } catch (err) {
    reportAdapterError(adapter, err);
  }
}

/**
 * `adapter.broadcast(packet, opts)`, with what the adapter throws reported (see {@link reportAdapterError}).
 *
 * @throws a SKT_ERR_PARSER_* error: the payload could not be encoded
 */
export function broadcastSafely(adapter: AdapterLike, packet: Packet, opts: BroadcastOptions): void {
  try {
    adapter.broadcast(packet, opts);
  } catch (err) {
    reportAdapterError(adapter, err);
  }
}

/** After a timeout, the recipients that never answered forget the broadcast's ack id. */
function forgetAck(adapter: AdapterLike, id: number | undefined, rooms: ReadonlySet<Room>): void {
  if (id === undefined) return;
  const sockets = adapter.nsp.sockets;
  const ids = rooms.size === 0 ? [adapter.sids.keys()] : [...rooms].map((room) => adapter.rooms.get(room)?.values() ?? []);
  for (const list of ids) {
    for (const sid of list) sockets.get(sid)?.acks.delete(id);
  }
}

/** socket.io's read-only members (`rooms`, `exceptRooms`, `flags`): core/compat/. */
export interface BroadcastOperator<EmitEvents extends EventsMap, SocketData = DefaultSocketData>
  extends SocketIoBroadcastOperatorMembers {}

/**
 * A target selection plus flags, ready to emit.
 *
 * @example
 * io.to("room1").except("room2").volatile.emit("tick", Date.now());
 * const answers = await io.timeout(5_000).emitWithAck("ping");
 */
export class BroadcastOperator<EmitEvents extends EventsMap, SocketData = DefaultSocketData> {
  readonly #adapter: AdapterLike;
  readonly #rooms: Set<Room>;
  readonly #except: Set<Room>;
  readonly #flags: OperatorFlags;

  /**
   * @param adapter the namespace's adapter
   * @param rooms target rooms (empty: everyone)
   * @param exceptRooms excluded rooms
   * @param flags emit flags
   */
  constructor(
    adapter: AdapterLike,
    rooms: Set<Room> = new Set(),
    exceptRooms: Set<Room> = new Set(),
    flags: OperatorFlags = {},
  ) {
    this.#adapter = adapter;
    this.#rooms = rooms;
    this.#except = exceptRooms;
    this.#flags = flags;
  }

  /** Targets also the sockets in `room` (a socket in several targeted rooms gets one copy). */
  to(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    const rooms = new Set(this.#rooms);
    if (Array.isArray(room)) for (const r of room) rooms.add(r);
    else rooms.add(room);
    return new BroadcastOperator(this.#adapter, rooms, this.#except, this.#flags);
  }

  /** Same as {@link to}. */
  in(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.to(room);
  }

  /** Excludes the sockets in `room`. */
  except(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    const except = new Set(this.#except);
    if (Array.isArray(room)) for (const r of room) except.add(r);
    else except.add(room);
    return new BroadcastOperator(this.#adapter, this.#rooms, except, this.#flags);
  }

  /** Sets whether to compress the packet. */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return this.#with({ compress });
  }

  /** Drops the packet for sockets whose transport is not writable right now. */
  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#with({ volatile: true });
  }

  /** Only this node's sockets (with a cluster adapter). */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#with({ local: true });
  }

  /**
   * Sets the time every socket has to answer the ack of the next emit.
   *
   * @param ms timeout in ms
   */
  timeout(ms: number): BroadcastOperator<DecorateAcknowledgementsWithTimeoutAndMultipleResponses<EmitEvents>, SocketData> {
    return this.#with({ timeout: ms }) as unknown as BroadcastOperator<
      DecorateAcknowledgementsWithTimeoutAndMultipleResponses<EmitEvents>,
      SocketData
    >;
  }

  #with(flags: OperatorFlags): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.#adapter, this.#rooms, this.#except, { ...this.#flags, ...flags });
  }

  #options(): BroadcastOptions {
    return { rooms: this.#rooms, except: this.#except, flags: this.#flags };
  }

  /**
   * Emits to every targeted socket. With a callback last, every socket's answer is collected:
   * `cb(null, answers)` once all answered, or `cb(err, answersSoFar)` after `timeout(ms)`.
   *
   * @returns true
   * @throws SKT_ERR_SOCKET_RESERVED_EVENT for a reserved event name
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    if (typeof ev === "string" && RESERVED_EVENTS.has(ev)) throw createError("SKT_ERR_SOCKET_RESERVED_EVENT", ev);
    const data: unknown[] = [ev, ...(args as unknown[])];
    const last = data[data.length - 1];
    if (typeof last !== "function") {
      broadcastSafely(this.#adapter, { type: PACKET_TYPE.EVENT, nsp: this.#adapter.nsp.name, data }, this.#options());
      return true;
    }
    data.pop();
    this.#emitWithCallback(data, last as Ack);
    return true;
  }

  #emitWithCallback(data: unknown[], ack: Ack): void {
    const ms = this.#flags.timeout;
    const single = this.#flags.expectSingleResponse === true;
    const adapter = this.#adapter;
    const packet: Packet = { type: PACKET_TYPE.EVENT, nsp: adapter.nsp.name, data };
    const responses: unknown[] = [];
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    let expectedServers = -1;
    let answeredServers = 0;
    let expectedClients = 0;
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      if (single) ack(err, responses[0]);
      else ack(err, responses);
    };
    const check = (): void => {
      if (expectedServers === answeredServers && responses.length === expectedClients) finish(null);
    };
    if (ms !== undefined) {
      timer = setTimeout(() => {
        const err = createError("SKT_ERR_BROADCAST_ACK_TIMEOUT", ms, responses.length, expectedClients);
        (err as unknown as BroadcastAckTimeoutError).responses = responses.slice();
        finish(err);
        // the adapter set the ack id on the packet; without this the silent sockets keep it until they disconnect
        forgetAck(adapter, packet.id, this.#rooms);
      }, ms);
    }
    try {
      adapter.broadcastWithAck(
        packet,
        this.#options(),
        (clientCount) => {
          expectedClients += clientCount;
          answeredServers++;
          check();
        },
        (response) => {
          if (done) return;
          responses.push(response);
          check();
        },
      );
    } catch (err) {
      if (timer !== undefined) clearTimeout(timer);
      done = true;
      reportAdapterError(adapter, err);
      if (single) ack(err, undefined);
      else ack(err, responses);
      return;
    }
    adapter.serverCount().then(
      (count) => {
        expectedServers = count;
        check();
      },
      (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /**
   * Emits and resolves with every socket's answer (rejects after `timeout(ms)`).
   *
   * @example
   * const answers = await io.timeout(1_000).emitWithAck("status");
   */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<AckResult<EmitEvents, Ev>> {
    return new Promise((resolve, reject) => {
      const cb = (err: Error | null, answers: unknown): void => {
        if (err) reject(err);
        else resolve(answers as AckResult<EmitEvents, Ev>);
      };
      (this.emit as (ev: string | symbol, ...a: unknown[]) => boolean)(ev, ...(args as unknown[]), cb);
    });
  }

  /** @returns the ids of the targeted sockets (deprecated in socket.io; prefer fetchSockets) */
  allSockets(): Promise<Set<SocketId>> {
    return this.#adapter.sockets(this.#rooms);
  }

  /** @returns the targeted sockets, local or remote */
  async fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    const found = await this.#adapter.fetchSockets(this.#options());
    return found.map((s) => new RemoteSocket<EmitEvents, SocketData>(this.#adapter, s as SocketDetails<SocketData>));
  }

  /** Makes the targeted sockets join `room`. */
  socketsJoin(room: Room | Room[]): void {
    this.#adapter.addSockets(this.#options(), Array.isArray(room) ? room : [room]);
  }

  /** Makes the targeted sockets leave `room`. */
  socketsLeave(room: Room | Room[]): void {
    this.#adapter.delSockets(this.#options(), Array.isArray(room) ? room : [room]);
  }

  /** Disconnects the targeted sockets (`close` also closes their connections). */
  disconnectSockets(close = false): void {
    this.#adapter.disconnectSockets(this.#options(), close);
  }

  static {
    installBroadcastOperatorCompat(this, { options: (op) => op.#options() });
  }
}

/**
 * A socket seen through the adapter (local or on another node).
 *
 * @example
 * for (const s of await io.in("room1").fetchSockets()) s.emit("hello");
 */
export class RemoteSocket<EmitEvents extends EventsMap, SocketData = DefaultSocketData> {
  readonly id: SocketId;
  readonly handshake: Handshake;
  readonly rooms: Set<Room>;
  readonly data: SocketData;
  readonly #operator: BroadcastOperator<EmitEvents, SocketData>;

  /**
   * @param adapter the namespace's adapter
   * @param details what the adapter returned for this socket
   */
  constructor(adapter: AdapterLike, details: SocketDetails<SocketData>) {
    this.id = details.id;
    this.handshake = details.handshake as Handshake;
    this.rooms = new Set(details.rooms);
    this.data = details.data;
    this.#operator = new BroadcastOperator<EmitEvents, SocketData>(adapter, new Set([this.id]), new Set(), {
      expectSingleResponse: true,
    });
  }

  /** Sends an event to this socket. */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.#operator.emit(ev, ...args);
  }

  /** Sets a timeout for the ack of the next emit. */
  timeout(ms: number): BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData> {
    return this.#operator.timeout(ms) as unknown as BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData>;
  }

  /** Joins rooms. */
  join(room: Room | Room[]): void {
    this.#operator.socketsJoin(room);
  }

  /** Leaves a room. */
  leave(room: Room): void {
    this.#operator.socketsLeave(room);
  }

  /** Disconnects this socket (`close` also closes its connection). */
  disconnect(close = false): this {
    this.#operator.disconnectSockets(close);
    return this;
  }
}
