/**
 * @module samples/chat/fastify — the chat on Fastify: the Socketeer plugin decorates `app.io`,
 * routes serve the page, the dashboard and `/metrics`. `npm start` runs this file.
 *
 *   PORT=3000 npm start                          # in-memory adapter
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=3001 npm start   # a second node sharing the chat
 */
import Fastify from "fastify";
import type { AddressInfo } from "node:net";
import socketeer from "socketeer/fastify";
import { assets, chatPage, dashboardPage } from "./assets.js";
import { registerChat } from "./chat.js";
import { announce, env, exitOnSignal, redisAdapter, serverOptions, urlFor } from "./config.js";
import { attachDashboard, metricsJson, prometheusResponse } from "./dashboard.js";

const redis = env.redisUrl ? await redisAdapter(env.redisUrl) : undefined;
const app = Fastify();

await app.register(socketeer, {
  ...serverOptions,
  ...(redis ? { adapter: redis.adapter } : {}),
});

app.get("/", (_req, reply) => reply.type(chatPage.type).send(chatPage.body));
app.get("/dashboard", (_req, reply) => reply.type(dashboardPage.type).send(dashboardPage.body));
app.get<{ Params: { name: string } }>("/assets/:name", (req, reply) => {
  const asset = assets.get(req.params.name);
  if (asset === undefined) return reply.code(404).send({ error: "not found" });
  return reply.type(asset.type).send(asset.body);
});
app.get("/metrics", (_req, reply) => {
  const { type, body } = prometheusResponse(app.io);
  return reply.type(type).send(body);
});
app.get("/metrics.json", () => metricsJson(app.io));

registerChat(app.io);
const dashboard = attachDashboard(app.io);
app.addHook("onClose", async () => {
  dashboard.close();
  await redis?.close();
});

await app.listen({ port: env.port, host: env.host });
announce("Fastify", urlFor(env.host, (app.server.address() as AddressInfo).port));
exitOnSignal(() => app.close());
