/**
 * @module events/typed-events — the event-map types threaded through Server, Namespace, Socket,
 * BroadcastOperator and RemoteSocket, and the typed EventEmitter base they extend.
 *
 * `any` appears only here, in the event maps, because they must stay assignable from and to
 * socket.io's own maps (an app keeps its `interface ServerToClientEvents` unchanged).
 */
import { compactListenerTable } from "../util/listener-table.js";
import { EventEmitter } from "node:events";

/** A map from event name to listener signature. */
export interface EventsMap {
  // any: listener signatures are user-defined; `unknown` would reject every concrete signature.
  [event: string]: any;
}

/** The map used when no types are given: every event takes any arguments. */
export interface DefaultEventsMap {
  // any: untyped events accept and produce anything, exactly as in socket.io.
  [event: string]: (...args: any[]) => void;
}

/** The event names of a map. */
export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

/** The listener type of one event. */
export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

/** A listener of one event of a map. */
export type EventListener<Map extends EventsMap, Ev extends EventNames<Map>> = Map[Ev];

/** Listener of an event that is either reserved or user-defined. */
export type ReservedOrUserListener<
  Reserved extends EventsMap,
  User extends EventsMap,
  Ev extends ReservedOrUserEventNames<Reserved, User>,
> = FallbackToUntypedListener<
  Ev extends EventNames<Reserved> ? Reserved[Ev] : Ev extends EventNames<User> ? User[Ev] : never
>;

/** Names of reserved and user events together. */
export type ReservedOrUserEventNames<Reserved extends EventsMap, User extends EventsMap> =
  | EventNames<Reserved>
  | EventNames<User>;

/** When a listener type resolves to `never`, fall back to an untyped one (socket.io does the same). */
type FallbackToUntypedListener<T> = [T] extends [never] ? (...args: any[]) => void | Promise<void> : T;

/** The last element of a tuple. */
export type Last<T extends unknown[]> = T extends [...infer _H, infer L] ? L : any;
/** Every element of a tuple but the last. */
export type AllButLast<T extends unknown[]> = T extends [...infer H, infer _L] ? H : any[];
/** The first argument of a function type. */
export type FirstArg<T> = T extends (arg: infer A, ...rest: any[]) => any ? A : any;
/** The first argument after a leading `err` of a callback type. */
export type FirstNonErrorArg<T> = T extends (...args: infer P) => any
  ? P extends [infer _E, infer A, ...any[]]
    ? A
    : P extends [infer A]
      ? A
      : any
  : any;

/** An ack callback whose first argument becomes the timeout error. */
export type PrependTimeoutError<T extends any[]> = {
  [K in keyof T]: T[K] extends (...args: infer P) => infer R ? (err: Error, ...args: P) => R : T[K];
};

/** A broadcast ack collects one answer per socket. */
export type ExpectMultipleResponses<T extends any[]> = {
  [K in keyof T]: T[K] extends (err: Error, arg: infer A) => infer R ? (err: Error, args: A[]) => R : T[K];
};

/** `timeout(ms)` on a socket: every ack callback receives an error first. */
export type DecorateAcknowledgements<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R ? (...args: PrependTimeoutError<P>) => R : E[K];
};

/** `timeout(ms)` on a broadcast: acks receive an error and the list of answers. */
export type DecorateAcknowledgementsWithTimeoutAndMultipleResponses<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R
    ? (...args: ExpectMultipleResponses<PrependTimeoutError<P>>) => R
    : E[K];
};

/** A broadcast without timeout: acks receive an error and the list of answers. */
export type DecorateAcknowledgementsWithMultipleResponses<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R
    ? (...args: ExpectMultipleResponses<PrependTimeoutError<P>>) => R
    : E[K];
};

/** Events whose last parameter is a callback (they can be awaited with emitWithAck). */
export type EventNamesWithAck<Map extends EventsMap, K extends EventNames<Map> = EventNames<Map>> =
  IfAny<
    Last<Parameters<Map[K]>> | Map[K],
    K,
    K extends (Last<Parameters<Map[K]>> extends (...args: any[]) => any ? K : never) ? K : never
  >;

/** Events without a trailing callback. */
export type EventNamesWithoutAck<Map extends EventsMap, K extends EventNames<Map> = EventNames<Map>> =
  IfAny<Last<Parameters<Map[K]>> | Map[K], K, K extends (Parameters<Map[K]> extends never[] ? K : never) ? K : K extends (Last<Parameters<Map[K]>> extends (...args: any[]) => any ? never : K) ? K : never>;

/** Removes events whose last parameter is an ack (server-side broadcasts without ack support). */
export type RemoveAcknowledgements<E extends EventsMap> = {
  [K in EventNamesWithoutAck<E>]: E[K];
};

type IfAny<T, Y, N> = 0 extends 1 & T ? Y : N;

/** What `emitWithAck` resolves to for an event: the first non-error argument of its ack. */
export type AckResult<Map extends EventsMap, Ev extends EventNames<Map>> = FirstNonErrorArg<
  Last<EventParams<Map, Ev>>
>;

/**
 * An EventEmitter whose `on`/`once`/`off` are typed by `ListenEvents` plus `ReservedEvents`,
 * and whose `emit` is typed by `EmitEvents`. Lifecycle events are raised with `emitReserved`.
 */
export abstract class StrictEventEmitter<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ReservedEvents extends EventsMap = {},
> extends EventEmitter {
  constructor() {
    super();
    compactListenerTable(this);
  }

  override on<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return super.on(ev, listener);
  }

  override once<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return super.once(ev, listener);
  }

  override off<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return super.off(ev, listener);
  }

  /** Emits a lifecycle (reserved) event to local listeners. */
  protected emitReserved<Ev extends EventNames<ReservedEvents>>(
    ev: Ev,
    ...args: EventParams<ReservedEvents, Ev>
  ): boolean {
    return super.emit(ev, ...args);
  }

  /** Emits an untyped event to local listeners (for events received from the wire). */
  protected emitUntyped(ev: string, ...args: unknown[]): boolean {
    return super.emit(ev, ...args);
  }

  override listeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    event: Ev,
  ): ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>[] {
    return super.listeners(event) as ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>[];
  }
}

/** The default type of `socket.data`. */
// any: socket.io types `data` as `any` by default, and apps read its fields without casts.
export type DefaultSocketData = any;
