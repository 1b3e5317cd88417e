/**
 * @module integrations/nestjs/connection-hook — turns an error thrown (or a Promise rejected) by a
 * gateway's `handleConnection` into an `exception` event for that client followed by a disconnect,
 * instead of an uncaught exception that leaves the client connected (the stock behaviour in Nest 11/12.1).
 */
import { HttpException, type INestApplicationContext } from "@nestjs/common";
import { ModulesContainer } from "@nestjs/core";
import { WsException } from "@nestjs/websockets";

/**
 * The metadata key `@WebSocketGateway()` sets on a class. Hard-coded on purpose: the constant lives at
 * `@nestjs/websockets/constants` in Nest 11 and `@nestjs/websockets/internal` in Nest 12, and we import
 * public entry points only.
 */
const GATEWAY_METADATA = "websockets:is_gateway";

/** What the hook needs from a connected socket. */
export interface RejectableClient {
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(close?: boolean): unknown;
}

/** The `exception` payload for an error thrown by `handleConnection`. */
export interface ConnectionExceptionPayload {
  status: "error";
  message: string;
  cause: { pattern: "handleConnection" };
}

const guarded = new WeakSet<object>();

/**
 * Builds what the client receives: a `WsException` gives its message (or its object error as is, like
 * Nest's `BaseWsExceptionFilter`), an `HttpException` (e.g. `UnauthorizedException`) its message, anything
 * else `"Internal server error"` so internals do not leak.
 *
 * @param err what `handleConnection` threw
 * @returns the payload of the `exception` event
 */
export function connectionExceptionPayload(err: unknown): ConnectionExceptionPayload | object {
  const cause = { pattern: "handleConnection" } as const;
  if (err instanceof WsException) {
    const error: unknown = err.getError();
    if (typeof error === "object" && error !== null) return error;
    return { status: "error", message: String(error), cause };
  }
  if (err instanceof HttpException) return { status: "error", message: err.message, cause };
  return { status: "error", message: "Internal server error", cause };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

type ConnectionHook = (this: unknown, client: RejectableClient, ...rest: unknown[]) => unknown;

/**
 * Wraps `handleConnection` of every gateway instance of the app (once per instance). Nest calls the hook
 * through `instance.handleConnection(...args)` at connection time, so replacing the own property is seen.
 *
 * @param app the Nest application (its `ModulesContainer` lists the gateway instances)
 * @param onError called with the client and the error instead of letting it escape
 */
export function guardConnectionHooks(
  app: INestApplicationContext,
  onError: (client: RejectableClient, err: unknown) => void,
): void {
  let modules: ModulesContainer;
  try {
    modules = app.get(ModulesContainer, { strict: false });
  } catch {
    return; // not a full Nest application context: nothing to guard
  }
  const getMetadata = (Reflect as unknown as { getMetadata?: (key: string, target: object) => unknown }).getMetadata;
  if (!getMetadata) return;
  for (const module of modules.values()) {
    for (const wrapper of module.providers.values()) {
      const instance = wrapper.instance as { handleConnection?: ConnectionHook } | undefined | null;
      const metatype = wrapper.metatype as object | null | undefined;
      if (!instance || !metatype || guarded.has(instance)) continue;
      if (typeof instance.handleConnection !== "function" || !getMetadata(GATEWAY_METADATA, metatype)) continue;
      guarded.add(instance);
      const original = instance.handleConnection;
      instance.handleConnection = function guardedHandleConnection(client, ...rest) {
        try {
          const result = original.call(this, client, ...rest);
          if (isPromiseLike(result)) {
            return Promise.resolve(result).catch((err: unknown) => onError(client, err));
          }
          return result;
        } catch (err) {
          onError(client, err);
          return undefined;
        }
      };
    }
  }
}
