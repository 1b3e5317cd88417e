/**
 * @module integrations/decorators/metadata — the framework-neutral handler decorators (`@Namespace`, `@On`,
 * `@OnConnection`, `@OnDisconnect` and the parameter decorators). They only record metadata with
 * `reflect-metadata`; `registerHandlers()` reads it.
 */
import "reflect-metadata";

/** What a handler parameter receives. */
export type ParamKind = "socket" | "payload" | "args" | "ack" | "reason";

/** One decorated parameter. */
export interface ParamSpec {
  readonly index: number;
  readonly kind: ParamKind;
  /** For `payload`: which event argument (0 = the first). */
  readonly position?: number;
}

/** The kinds of decorated methods. */
export type HandlerKind = "event" | "connection" | "disconnect";

/** One decorated method. */
export interface HandlerSpec {
  readonly kind: HandlerKind;
  readonly method: string | symbol;
  /** For `event`: the event name. */
  readonly event?: string;
}

const kNamespace = Symbol.for("socketeer:decorators:namespace");
const kHandlers = Symbol.for("socketeer:decorators:handlers");
const kParams = Symbol.for("socketeer:decorators:params");

type Constructor = abstract new (...args: never[]) => unknown;
type AnyMethod = (...args: never[]) => unknown;

/**
 * Puts the class's handlers in a namespace (default `/`). A RegExp serves every matching namespace
 * (socket.io's dynamic namespaces).
 *
 * @param name the namespace, e.g. `"/chat"`, or a RegExp
 * @returns a class decorator
 * @example
 * @Namespace("/chat")
 * class ChatHandlers {
 *   @On("message") message(@Payload() text: string) { return text.toUpperCase(); }
 * }
 */
export function Namespace(name: string | RegExp = "/"): <C extends Constructor>(target: C) => C {
  return (target) => {
    Reflect.defineMetadata(kNamespace, name, target);
    return target;
  };
}

function addHandler(target: object, spec: HandlerSpec): void {
  const ctor = target.constructor;
  // Copy the inherited list so a subclass adds to its parent's handlers without changing them.
  const list = [...((Reflect.getMetadata(kHandlers, ctor) as HandlerSpec[] | undefined) ?? [])];
  list.push(spec);
  Reflect.defineMetadata(kHandlers, list, ctor);
}

function methodDecorator(spec: Omit<HandlerSpec, "method">) {
  return <M extends AnyMethod>(
    target: object,
    method: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): TypedPropertyDescriptor<M> => {
    addHandler(target, { ...spec, method });
    return descriptor;
  };
}

/**
 * Handles an event. The return value (or the resolved Promise) is the ack, when the client asked for one
 * and the handler does not take `@AckCallback()`.
 *
 * @param event the event name
 * @returns a method decorator
 */
export function On(event: string) {
  return methodDecorator({ kind: "event", event });
}

/** Runs for every new socket of the namespace. Undecorated parameters: `(socket)`. */
export function OnConnection() {
  return methodDecorator({ kind: "connection" });
}

/** Runs when a socket of the namespace disconnects. Undecorated parameters: `(socket, reason)`. */
export function OnDisconnect() {
  return methodDecorator({ kind: "disconnect" });
}

function paramDecorator(kind: ParamKind, position?: number) {
  return (target: object, method: string | symbol | undefined, index: number): void => {
    if (method === undefined) return; // constructor parameters are not handler parameters
    const all = (Reflect.getMetadata(kParams, target.constructor) as Map<string | symbol, ParamSpec[]> | undefined) ??
      new Map<string | symbol, ParamSpec[]>();
    const copy = new Map(all);
    copy.set(method, [...(copy.get(method) ?? []), position === undefined ? { index, kind } : { index, kind, position }]);
    Reflect.defineMetadata(kParams, copy, target.constructor);
  };
}

/** Injects the server-side socket. */
export function Client() {
  return paramDecorator("socket");
}

/**
 * Injects one argument of the event (the ack callback excluded).
 *
 * @param position which argument, 0 (the first) by default
 */
export function Payload(position = 0) {
  return paramDecorator("payload", position);
}

/** Injects every argument of the event as an array (the ack callback excluded). */
export function Args() {
  return paramDecorator("args");
}

/**
 * Injects the client's ack callback (or `undefined` when the client did not ask for one). A handler that
 * takes it acks by itself: its return value is not sent.
 */
export function AckCallback() {
  return paramDecorator("ack");
}

/** Injects the disconnect reason (in an `@OnDisconnect()` handler). */
export function DisconnectReason() {
  return paramDecorator("reason");
}

/** The metadata of a decorated class (for `registerHandlers`). */
export interface ClassMetadata {
  namespace: string | RegExp;
  handlers: readonly HandlerSpec[];
  params(method: string | symbol): readonly ParamSpec[];
}

/**
 * Reads what the decorators recorded on a class.
 *
 * @param ctor the class
 * @returns its namespace (default `/`), handlers and parameter specs
 */
export function readMetadata(ctor: object): ClassMetadata {
  const params = (Reflect.getMetadata(kParams, ctor) as Map<string | symbol, ParamSpec[]> | undefined) ?? new Map();
  return {
    namespace: (Reflect.getMetadata(kNamespace, ctor) as string | RegExp | undefined) ?? "/",
    handlers: (Reflect.getMetadata(kHandlers, ctor) as HandlerSpec[] | undefined) ?? [],
    params: (method) => params.get(method) ?? [],
  };
}
