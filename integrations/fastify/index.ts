/**
 * @module integrations/fastify — the Fastify 5 plugin: decorates `fastify.io` and routes polling
 * requests and WebSocket upgrades through Fastify's router, so hooks and encapsulation apply.
 *
 * Polling is an ordinary route (`GET|POST|OPTIONS <path>/*`) whose handler hijacks the reply and
 * hands the raw request to `io.handleRequest`. An upgrade is fed to `fastify.routing()` with a
 * response written on the raw socket (see integrations/shared/attach.ts): the same route, the
 * same `onRequest`…`preHandler` hooks, then `io.handleUpgrade`. A hook answering 401 is a real 401.
 */
import type { IncomingMessage } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { Server, createError } from "../../core/index.js";
import {
  InflightResponses,
  completeUpgrade,
  isUnderPath,
  onUpgrade,
  prepareUpgrade,
} from "../shared/upgrade-routing.js";
import type { FastifyIo, FastifySocketeerOptions } from "./types.js";

export type { FastifyIo, FastifySocketeerOptions, FastifySocketeerTypes, ServerFor } from "./types.js";

/** Where the handler keeps the Fastify request on the raw request (`socket.request`). */
const kFastifyRequest = Symbol("socketeer.fastifyRequest");

type TaggedRequest = IncomingMessage & { [kFastifyRequest]?: FastifyRequest };

/**
 * The Fastify request behind a socket's handshake, with everything hooks decorated it with
 * (e.g. the user an auth hook set).
 *
 * @param from a socket (its `request`) or a raw request
 * @returns the Fastify request, or undefined when the handshake did not come through the plugin
 * @example
 * app.addHook("onRequest", async (req) => { req.user = await authenticate(req) });
 * app.io.on("connection", (socket) => console.log(fastifyRequest(socket)?.user));
 */
export function fastifyRequest(from: { readonly request: IncomingMessage } | IncomingMessage): FastifyRequest | undefined {
  const req = "request" in from ? from.request : from;
  return (req as TaggedRequest)[kFastifyRequest];
}

async function plugin(fastify: FastifyInstance, opts: FastifySocketeerOptions): Promise<void> {
  if (fastify.hasDecorator("io")) throw createError("SKT_ERR_FASTIFY_IO_DECORATED");
  const { preClose, ...serverOpts } = opts;
  if (preClose !== undefined && typeof preClose !== "function") {
    throw createError("SKT_ERR_OPTIONS_INVALID_TYPE", "preClose", "a function", typeof preClose);
  }
  const io = new Server(serverOpts) as unknown as FastifyIo;
  const path = io.path();
  const inflight = new InflightResponses();
  fastify.decorate("io", io);

  // an encapsulated child, so that the body-parser change below stays local to these routes
  await fastify.register(async (scope) => {
    // the engine reads polling bodies itself (and enforces maxHttpBufferSize): leave the stream unread
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, _payload, done) => done(null));
    scope.route({
      method: ["GET", "POST", "OPTIONS"],
      url: `${path === "/" ? "" : path}/*`,
      handler(request, reply) {
        const raw = request.raw as TaggedRequest;
        raw[kFastifyRequest] = request;
        reply.hijack();
        if (completeUpgrade(raw, (req, socket, head) => io.handleUpgrade(req, socket, head))) return;
        // headers hooks set on the reply (@fastify/cors, helmet…) would be lost with the hijack
        for (const [name, value] of Object.entries(reply.getHeaders())) {
          if (value !== undefined) reply.raw.setHeader(name, value);
        }
        inflight.add(reply.raw);
        io.handleRequest(raw, reply.raw);
      },
    });
  });

  //
  // Fastify forwards 'upgrade' from its secondary servers (e.g. `localhost` → ::1 besides
  // 127.0.0.1) to fastify.server, so one listener covers every address.
  //
  const detach = onUpgrade(
    fastify.server,
    (req) => isUnderPath(req.url, path),
    (req, socket, head) => fastify.routing(req, prepareUpgrade(req, socket, head)),
  );

  //
  // Sockets must be closed in preClose: Fastify's own onClose hook waits for server.close(),
  // which waits for every open connection, before any onClose hook of a plugin runs.
  //
  let closing: Promise<void> | undefined;
  const closeIo = (): Promise<void> => (closing ??= io.close());
  fastify.addHook("preClose", async () => {
    inflight.drain();
    detach();
    if (preClose !== undefined) {
      await new Promise<void>((resolve, reject) => preClose((err) => (err ? reject(err) : resolve())));
    }
    await closeIo();
  });
  // when the app closes before it was ever ready, preClose hooks do not run
  fastify.addHook("onClose", closeIo);
}

/**
 * The Socketeer plugin for Fastify 5: `await app.register(socketeer, serverOptions)`, then
 * `app.io` is the `Server` (typed through {@link FastifySocketeerTypes}).
 *
 * @throws SKT_ERR_FASTIFY_IO_DECORATED at registration when `io` is already decorated
 * @throws SKT_ERR_OPTIONS_* for invalid server options or a `preClose` that is not a function
 * @example
 * import Fastify from "fastify";
 * import socketeer from "socketeer/fastify";
 * const app = Fastify();
 * await app.register(socketeer, { cors: { origin: "https://example.com" } });
 * app.io.on("connection", (socket) => socket.emit("hello"));
 * await app.listen({ port: 3000 });
 */
export const socketeer = fp(plugin, { name: "socketeer", fastify: "5.x" });

export default socketeer;
