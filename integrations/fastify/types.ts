/**
 * @module integrations/fastify/types — the `fastify.io` augmentation and the plugin's option types.
 *
 * `fastify.io` is typed from the {@link FastifySocketeerTypes} registry: augment it once to give
 * the event maps, as Fastify's own type providers do, instead of re-declaring `io`.
 */
import type { DefaultEventsMap, DefaultSocketData, EventsMap, Server, ServerOptions } from "../../core/index.js";

/**
 * The event-map registry of `fastify.io`. Empty by default (every event untyped); augment it:
 *
 * @example
 * declare module "socketeer/fastify" {
 *   interface FastifySocketeerTypes {
 *     listenEvents: ClientToServerEvents;
 *     emitEvents: ServerToClientEvents;
 *     serverSideEvents: InterServerEvents;
 *     socketData: { user: string };
 *   }
 * }
 */
// empty on purpose: apps merge their event maps into it
export interface FastifySocketeerTypes {}

type MapOf<R, K extends string, D extends EventsMap> = R extends { [P in K]: infer T }
  ? T extends EventsMap
    ? T
    : D
  : D;

/** The `Server` type a registry describes (`emitEvents` defaults to `listenEvents`, as in socket.io). */
export type ServerFor<R> = Server<
  MapOf<R, "listenEvents", DefaultEventsMap>,
  MapOf<R, "emitEvents", MapOf<R, "listenEvents", DefaultEventsMap>>,
  MapOf<R, "serverSideEvents", DefaultEventsMap>,
  R extends { socketData: infer D } ? D : DefaultSocketData
>;

/** The type of `fastify.io`. */
export type FastifyIo = ServerFor<FastifySocketeerTypes>;

/** Options of the plugin: every `Server` option, plus `preClose`. */
export interface FastifySocketeerOptions extends ServerOptions {
  /**
   * Runs in Fastify's `preClose` hook while the sockets are still connected (e.g. to tell the
   * clients, or to disconnect them your way), as fastify-socket.io's option does. Call `done`
   * when finished; `io` is then closed, disconnecting what is left with `"server shutting down"`,
   * so `app.close()` cannot hang on open sockets.
   * @default undefined
   */
  preClose?: (done: (err?: Error) => void) => void;
}

declare module "fastify" {
  interface FastifyInstance {
    /** The Socketeer server registered by `socketeer/fastify`. */
    io: FastifyIo;
  }
}
