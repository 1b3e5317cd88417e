/**
 * @module integrations/decorators/register — `registerHandlers(io, instances)`: binds the decorated methods
 * of plain class instances to a Socketeer (or socket.io-compatible) server, with acks from return values and
 * errors reported to the client in one documented shape.
 */
import { debuglog } from "../../core/util/debug.js";
import { createError } from "../../core/index.js";
import { readMetadata, type HandlerSpec, type ParamSpec } from "./metadata.js";

const debug = debuglog("socketeer:decorators");

/** What the decorators need from a server-side socket. */
export interface HandlerSocket {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(close?: boolean): unknown;
}

/** What the decorators need from a namespace. */
export interface HandlerNamespace {
  on(event: "connection", listener: (socket: never) => void): unknown;
  off(event: "connection", listener: (socket: never) => void): unknown;
}

/** What the decorators need from the server: `of(name)` (string or RegExp). */
export interface HandlerServer {
  of(name: string | RegExp): HandlerNamespace;
}

/**
 * An error whose message (and optional `code` and `data`) is meant for the client. Any other error a handler
 * throws reaches the client as `"Internal server error"` and is passed to `onError`.
 *
 * @example
 * throw new HandlerError("room is full", { code: "ROOM_FULL", data: { max: 10 } });
 */
export class HandlerError extends Error {
  readonly code: string | undefined;
  readonly data: unknown;

  constructor(message: string, options: { code?: string; data?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HandlerError";
    this.code = options.code;
    this.data = options.data;
  }
}

/**
 * What the client receives when a handler fails: through the ack when the client asked for one (and the
 * handler does not ack by itself), otherwise as an `exception` event. `event` is `"connection"` for an
 * `@OnConnection()` handler, after which the socket is disconnected.
 */
export interface HandlerErrorReply {
  status: "error";
  event: string;
  message: string;
  code?: string;
  data?: unknown;
}

/** Options of {@link registerHandlers}. */
export interface RegisterOptions {
  /**
   * Called with every error a handler throws that is not a {@link HandlerError} (those are the client's
   * business), and with errors of `@OnDisconnect()` handlers.
   * @default debug output on `NODE_DEBUG=socketeer:decorators`
   */
  onError?: (err: unknown, context: { event: string; instance: object }) => void;
}

/** Builds the reply for an error thrown by the handler of `event`. */
export function errorReply(event: string, err: unknown): HandlerErrorReply {
  if (!(err instanceof HandlerError)) return { status: "error", event, message: "Internal server error" };
  const reply: HandlerErrorReply = { status: "error", event, message: err.message };
  if (err.code !== undefined) reply.code = err.code;
  if (err.data !== undefined) reply.data = err.data;
  return reply;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

interface CallContext {
  socket: HandlerSocket;
  args: unknown[];
  ack: ((...args: unknown[]) => void) | undefined;
  reason?: unknown;
}

function buildArgs(params: readonly ParamSpec[], ctx: CallContext, fallback: unknown[]): unknown[] {
  if (params.length === 0) return fallback;
  const out: unknown[] = [];
  for (const p of params) {
    switch (p.kind) {
      case "socket":
        out[p.index] = ctx.socket;
        break;
      case "payload":
        out[p.index] = ctx.args[p.position ?? 0];
        break;
      case "args":
        out[p.index] = ctx.args;
        break;
      case "ack":
        out[p.index] = ctx.ack;
        break;
      case "reason":
        out[p.index] = ctx.reason;
        break;
    }
  }
  return out;
}

type Method = (...args: unknown[]) => unknown;

/**
 * Registers the decorated handlers of each instance on `io`: each class's `@Namespace` (default `/`) gets a
 * connection listener that binds its `@On()` handlers on every new socket and runs its `@OnConnection()`
 * handlers; `@OnDisconnect()` handlers run on disconnect and the socket's listeners are removed.
 *
 * Without parameter decorators an `@On()` handler is called with `(socket, ...eventArgs)` (the ack callback
 * excluded), `@OnConnection()` with `(socket)`, `@OnDisconnect()` with `(socket, reason)`.
 *
 * @param io the server (`of(name)` is used)
 * @param instances one instance or several
 * @param options see {@link RegisterOptions}
 * @returns a function that unregisters everything (listeners of connected sockets included)
 * @throws SKT_ERR_DECORATORS_NO_HANDLERS when an instance's class has no decorated method;
 *   SKT_ERR_INVALID_ARG when `io` has no `of()` or an instance is not an object
 * @example
 * const io = new Server(httpServer);
 * registerHandlers(io, [new ChatHandlers()]);
 */
export function registerHandlers(
  io: HandlerServer,
  instances: object | readonly object[],
  options: RegisterOptions = {},
): () => void {
  if (typeof (io as { of?: unknown } | null)?.of !== "function") {
    throw createError("SKT_ERR_INVALID_ARG", "io", "a Server (with an of() method)");
  }
  const list: readonly object[] = Array.isArray(instances) ? instances : [instances as object];
  const report = options.onError ?? ((err, ctx) => debug("handler of %s failed: %o", ctx.event, err));
  const disposers: Array<() => void> = [];

  for (const instance of list) {
    if (typeof instance !== "object" || instance === null) {
      throw createError("SKT_ERR_INVALID_ARG", "instances", "an object or an array of objects");
    }
    const meta = readMetadata(instance.constructor);
    if (meta.handlers.length === 0) {
      throw createError("SKT_ERR_DECORATORS_NO_HANDLERS", instance.constructor.name || "(anonymous class)");
    }
    const methodOf = (spec: HandlerSpec): Method =>
      ((instance as Record<string | symbol, Method>)[spec.method] as Method).bind(instance);
    const events = meta.handlers.filter((h) => h.kind === "event");
    const connections = meta.handlers.filter((h) => h.kind === "connection");
    const disconnects = meta.handlers.filter((h) => h.kind === "disconnect");
    const live = new Map<HandlerSocket, Array<[string, (...args: unknown[]) => void]>>();

    const onConnection = (socket: HandlerSocket): void => {
      const bound: Array<[string, (...args: unknown[]) => void]> = [];
      for (const spec of events) {
        const event = spec.event ?? "";
        const params = meta.params(spec.method);
        const isManualAck = params.some((p) => p.kind === "ack");
        const listener = (...raw: unknown[]): void => {
          const last = raw[raw.length - 1];
          const ack = typeof last === "function" ? (last as (...args: unknown[]) => void) : undefined;
          const args = ack ? raw.slice(0, -1) : raw;
          const settle = (value: unknown): void => {
            if (isManualAck || !ack) return;
            if (value === undefined) ack();
            else ack(value);
          };
          const fail = (err: unknown): void => {
            if (!(err instanceof HandlerError)) report(err, { event, instance });
            const reply = errorReply(event, err);
            if (ack && !isManualAck) ack(reply);
            else socket.emit("exception", reply);
          };
          try {
            const result = methodOf(spec)(...buildArgs(params, { socket, args, ack }, [socket, ...args]));
            if (isPromiseLike(result)) result.then(settle, fail);
            else settle(result);
          } catch (err) {
            fail(err);
          }
        };
        socket.on(event, listener);
        bound.push([event, listener]);
      }
      const onDisconnect = (reason: unknown): void => {
        for (const [event, listener] of bound.splice(0)) socket.off(event, listener);
        live.delete(socket);
        for (const spec of disconnects) {
          const params = meta.params(spec.method);
          const call = buildArgs(params, { socket, args: [], ack: undefined, reason }, [socket, reason]);
          Promise.resolve()
            .then(() => methodOf(spec)(...call))
            .catch((err: unknown) => report(err, { event: "disconnect", instance }));
        }
      };
      socket.on("disconnect", onDisconnect);
      bound.push(["disconnect", onDisconnect as (...args: unknown[]) => void]);
      live.set(socket, bound);

      for (const spec of connections) {
        const params = meta.params(spec.method);
        const rejectConnection = (err: unknown): void => {
          if (!(err instanceof HandlerError)) report(err, { event: "connection", instance });
          socket.emit("exception", errorReply("connection", err));
          socket.disconnect();
        };
        try {
          const result = methodOf(spec)(...buildArgs(params, { socket, args: [], ack: undefined }, [socket]));
          if (isPromiseLike(result)) result.then(undefined, rejectConnection);
        } catch (err) {
          rejectConnection(err);
        }
      }
    };

    const nsp = io.of(meta.namespace);
    nsp.on("connection", onConnection as (socket: never) => void);
    disposers.push(() => {
      nsp.off("connection", onConnection as (socket: never) => void);
      for (const [socket, bound] of live) {
        for (const [event, listener] of bound) socket.off(event, listener);
      }
      live.clear();
    });
  }
  return () => {
    for (const dispose of disposers.splice(0)) dispose();
  };
}
