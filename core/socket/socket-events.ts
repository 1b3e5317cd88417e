/**
 * @module socket/socket-events — the event side of a Socket: packet middlewares (`use`),
 * catch-all listeners (`onAny…`, `onAnyOutgoing…`) and the dispatch of an incoming event through
 * them to the socket's listeners.
 */
import { debuglog } from "../util/debug.js";
import { StrictEventEmitter, type EventsMap } from "../events/typed-events.js";
import { createError } from "../errors.js";
import { runMiddlewares } from "../middleware/compose.js";
import { describeValue } from "../util/options.js";
import { CatchAllListeners, type AnyListener } from "./catch-all.js";

const debug = debuglog("socketeer:socket");

/** An incoming event as packet middlewares see it: `[name, ...args]`. */
export type Event = [string, ...unknown[]];

/** A packet middleware: `next(err)` drops the event and emits `error` on the socket. */
export type PacketMiddleware = (event: Event, next: (err?: Error) => void) => void;

/** The base of Socket that handles incoming and outgoing events' hooks. */
export abstract class SocketEvents<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ReservedEvents extends EventsMap,
> extends StrictEventEmitter<ListenEvents, EmitEvents, ReservedEvents> {
  // made on first use: most sockets have no packet middleware nor catch-all listener (issue 18:
  // one field per socket; no private method either, so no per-instance brand)
  #hooks: Hooks | undefined;

  /** Whether incoming events may still be delivered. */
  protected abstract get isConnected(): boolean;

  /**
   * Adds a packet middleware; `next(err)` drops the packet and emits `error` on the socket. An
   * exception it throws is the application's: it surfaces as uncaught, as with socket.io.
   *
   * @throws SKT_ERR_INVALID_ARG when `fn` is not a function
   * @example
   * socket.use(([event], next) => (event === "forbidden" ? next(new Error("no")) : next()));
   */
  use(fn: PacketMiddleware): this {
    if (typeof fn !== "function") throw createError("SKT_ERR_INVALID_ARG", "socket.use(fn)", "a function", describeValue(fn));
    ((this.#hooks ??= new Hooks()).fns ??= []).push(fn);
    return this;
  }

  /** Listens to every incoming event. */
  onAny(listener: AnyListener): this {
    if (typeof listener !== "function") throw createError("SKT_ERR_INVALID_ARG", "onAny(listener)", "a function", describeValue(listener));
    ((this.#hooks ??= new Hooks()).any ??= new CatchAllListeners()).add(listener);
    return this;
  }

  /** Listens to every incoming event, before the other catch-all listeners. */
  prependAny(listener: AnyListener): this {
    if (typeof listener !== "function") throw createError("SKT_ERR_INVALID_ARG", "prependAny(listener)", "a function", describeValue(listener));
    ((this.#hooks ??= new Hooks()).any ??= new CatchAllListeners()).prepend(listener);
    return this;
  }

  /** Removes one catch-all listener, or all of them. */
  offAny(listener?: AnyListener): this {
    this.#hooks?.any?.remove(listener);
    return this;
  }

  /** @returns the catch-all listeners */
  listenersAny(): AnyListener[] {
    return this.#hooks?.any?.list() ?? [];
  }

  /** Listens to every outgoing event (including broadcasts). */
  onAnyOutgoing(listener: AnyListener): this {
    if (typeof listener !== "function") throw createError("SKT_ERR_INVALID_ARG", "onAnyOutgoing(listener)", "a function", describeValue(listener));
    ((this.#hooks ??= new Hooks()).anyOutgoing ??= new CatchAllListeners()).add(listener);
    return this;
  }

  /** Listens to every outgoing event, before the other outgoing catch-all listeners. */
  prependAnyOutgoing(listener: AnyListener): this {
    if (typeof listener !== "function") throw createError("SKT_ERR_INVALID_ARG", "prependAnyOutgoing(listener)", "a function", describeValue(listener));
    ((this.#hooks ??= new Hooks()).anyOutgoing ??= new CatchAllListeners()).prepend(listener);
    return this;
  }

  /** Removes one outgoing catch-all listener, or all of them. */
  offAnyOutgoing(listener?: AnyListener): this {
    this.#hooks?.anyOutgoing?.remove(listener);
    return this;
  }

  /** @returns the outgoing catch-all listeners */
  listenersAnyOutgoing(): AnyListener[] {
    return this.#hooks?.anyOutgoing?.list() ?? [];
  }

  /** Tells the outgoing catch-all listeners about `[event, ...args]` (free when there are none). */
  protected notifyOutgoing(args: readonly unknown[]): void {
    const listeners = this.#hooks?.anyOutgoing;
    if (listeners !== undefined && !listeners.isEmpty) listeners.notify(this, args);
  }

  /**
   * Runs an incoming event through the catch-all listeners and the middlewares, then emits it a
   * tick later, as socket.io does: an event whose socket disconnected meanwhile (the DISCONNECT
   * came in the same batch) is dropped, and what a listener throws surfaces as uncaught.
   */
  protected dispatchIncoming(args: Event): void {
    const hooks = this.#hooks;
    if (hooks === undefined) {
      process.nextTick(SocketEvents.#deliver, this, args, undefined);
      return;
    }
    hooks.any?.notify(this, args);
    const fns = hooks.fns;
    if (fns === undefined || fns.length === 0) {
      process.nextTick(SocketEvents.#deliver, this, args, undefined);
      return;
    }
    runMiddlewares(fns, args, (err) => process.nextTick(SocketEvents.#deliver, this, args, err), false);
  }

  static #deliver(self: SocketEvents<EventsMap, EventsMap, EventsMap>, args: Event, err: Error | undefined): void {
    if (err !== undefined) {
      // socket.io emits "error" unconditionally, which throws when nobody listens.
      if (self.listenerCount("error") > 0) self.emitUntyped("error", err);
      else if (debug.enabled) debug("packet middleware refused %s: %s", args[0], err.message);
      return;
    }
    if (!self.isConnected) {
      if (debug.enabled) debug("event %s dropped: the socket disconnected before its dispatch", args[0]);
      return;
    }
    // A client may name its event "error": with no "error" listener, EventEmitter would throw
    // ERR_UNHANDLED_ERROR from inside the decoder (socket.io crashes the process there), so such
    // an event is dropped.
    if (args[0] === "error" && self.listenerCount("error") === 0) {
      if (debug.enabled) debug("incoming \"error\" event with no listener dropped");
      return;
    }
    self.emitUntyped(...args);
  }
}

/** A socket's packet middlewares and catch-all listeners (made on first use). */
class Hooks {
  fns: PacketMiddleware[] | undefined = undefined;
  any: CatchAllListeners | undefined = undefined;
  anyOutgoing: CatchAllListeners | undefined = undefined;
}
