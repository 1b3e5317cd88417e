/**
 * @module samples/chat/express — the chat on Express: `socketeer(app, options)` returns the
 * server and hooks itself into `app.listen()`; the page, the dashboard and `/metrics` are routes.
 *
 *   PORT=3000 node --import tsx samples/chat/express.ts     (or: npm start -- express)
 */
import express from "express";
import type { AddressInfo } from "node:net";
import socketeer from "socketeer/express";
import { assets, chatPage, dashboardPage } from "./assets.js";
import { registerChat } from "./chat.js";
import { announce, env, exitOnSignal, redisAdapter, serverOptions, urlFor } from "./config.js";
import { attachDashboard, metricsJson, prometheusResponse } from "./dashboard.js";

const redis = env.redisUrl ? await redisAdapter(env.redisUrl) : undefined;
const app = express();
const io = socketeer(app, {
  ...serverOptions,
  ...(redis ? { adapter: redis.adapter } : {}),
});

app.get("/", (_req, res) => {
  res.type(chatPage.type).send(chatPage.body);
});
app.get("/dashboard", (_req, res) => {
  res.type(dashboardPage.type).send(dashboardPage.body);
});
app.get("/assets/:name", (req, res) => {
  const asset = assets.get(req.params.name);
  if (asset === undefined) res.status(404).json({ error: "not found" });
  else res.type(asset.type).send(asset.body);
});
app.get("/metrics", (_req, res) => {
  const { type, body } = prometheusResponse(io);
  res.type(type).send(body);
});
app.get("/metrics.json", (_req, res) => {
  res.json(metricsJson(io));
});

registerChat(io);
const dashboard = attachDashboard(io);

const server = app.listen(env.port, env.host, () => {
  announce("Express", urlFor(env.host, (server.address() as AddressInfo).port));
});
exitOnSignal(async () => {
  dashboard.close();
  await io.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await redis?.close();
});
