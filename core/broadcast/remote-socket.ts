/**
 * @module broadcast/remote-socket — what `fetchSockets()` returns: a socket that may live on
 * another server, reached through the adapter.
 */
import type { AdapterLike, Room, SocketId } from "../adapter/types.js";
import type {
  DecorateAcknowledgements,
  DefaultSocketData,
  EventNames,
  EventParams,
  EventsMap,
} from "../events/typed-events.js";
import type { Handshake } from "../socket/handshake.js";
import { BroadcastOperator } from "./broadcast-operator.js";

/** The serializable details of a socket, as an adapter hands them out. */
export interface SocketDetails<SocketData> {
  id: SocketId;
  handshake: Handshake;
  rooms: Set<Room>;
  data: SocketData;
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
