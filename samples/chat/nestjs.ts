/**
 * @module samples/chat/nestjs — the chat as a NestJS app: a gateway whose `@SubscribeMessage`
 * handlers call the shared {@link ChatService} (their return value is the ack), a controller for the
 * page, the dashboard and `/metrics`, and `SocketeerAdapter` in place of Nest's `IoAdapter`.
 *
 * Nest's decorators want `emitDecoratorMetadata`, which tsx does not emit, so this file runs from a
 * tsc build:  `npm start -- nest`  (compiles with tsconfig.samples-nest.json, then runs the output).
 */
import "reflect-metadata";
import type { Response } from "express";
import type { AddressInfo } from "node:net";
import { Controller, Get, Header, Inject, Module, Param, Res } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayInit,
} from "@nestjs/websockets";
import { PROMETHEUS_CONTENT_TYPE, type Server, type ServerOptions, type Socket } from "socketeer";
import { SocketeerAdapter } from "socketeer/nestjs";
import { assets, chatPage, dashboardPage } from "./assets.js";
import { ChatService, type JoinReply, type MessageReply } from "./chat.js";
import { announce, env, exitOnSignal, redisAdapter, serverOptions, urlFor } from "./config.js";
import { attachDashboard, metricsJson, prometheusResponse } from "./dashboard.js";

const redis = env.redisUrl ? await redisAdapter(env.redisUrl) : undefined;

/** The gateway: Nest calls `afterInit` with the server, then one handler per event. */
@WebSocketGateway({ ...serverOptions })
class ChatGateway implements OnGatewayInit, OnGatewayConnection {
  readonly chat = new ChatService();
  io: Server | undefined;
  #dashboard: { close(): void } | undefined;

  afterInit(server: Server): void {
    this.io = server;
    this.chat.attach(server);
    server.use((socket, next) => this.chat.authenticate(socket, next));
    this.#dashboard = attachDashboard(server);
  }

  handleConnection(socket: Socket): void {
    this.chat.connected(socket);
  }

  @SubscribeMessage("join")
  join(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<JoinReply> {
    return this.chat.join(socket, body);
  }

  @SubscribeMessage("message")
  message(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): MessageReply {
    return this.chat.message(socket, body);
  }

  @SubscribeMessage("typing")
  typing(@ConnectedSocket() socket: Socket, @MessageBody() room: unknown): void {
    this.chat.typing(socket, room);
  }

  onApplicationShutdown(): void {
    this.#dashboard?.close();
  }

  /** The server, once Nest has created it. */
  get server(): Server {
    if (this.io === undefined) throw new Error("the gateway is not initialised yet");
    return this.io;
  }
}

/** The pages, the scripts and the metrics routes. */
@Controller()
class PagesController {
  readonly #gateway: ChatGateway;

  // @Inject names the token, so this works with or without emitted constructor metadata.
  constructor(@Inject(ChatGateway) gateway: ChatGateway) {
    this.#gateway = gateway;
  }

  @Get()
  @Header("Content-Type", chatPage.type)
  page(): string {
    return chatPage.body;
  }

  @Get("dashboard")
  @Header("Content-Type", dashboardPage.type)
  dashboard(): string {
    return dashboardPage.body;
  }

  @Get("assets/:name")
  asset(@Param("name") name: string, @Res() res: Response): void {
    const asset = assets.get(name);
    if (asset === undefined) res.status(404).json({ error: "not found" });
    else res.type(asset.type).send(asset.body);
  }

  @Get("metrics")
  @Header("Content-Type", PROMETHEUS_CONTENT_TYPE)
  metrics(): string {
    return prometheusResponse(this.#gateway.server).body;
  }

  @Get("metrics.json")
  metricsJson(): unknown {
    return metricsJson(this.#gateway.server);
  }
}

@Module({ controllers: [PagesController], providers: [ChatGateway] })
class ChatModule {}

/** `SocketeerAdapter` with the Redis adapter plugged in, the way Nest docs do it for `IoAdapter`. */
class RedisSocketeerAdapter extends SocketeerAdapter {
  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const server = super.createIOServer(port, options);
    if (redis) server.adapter(redis.adapter);
    return server;
  }
}

const app = await NestFactory.create(ChatModule, { logger: ["error", "warn"] });
app.useWebSocketAdapter(redis ? new RedisSocketeerAdapter(app) : new SocketeerAdapter(app));
await app.listen(env.port, env.host);
announce("NestJS", urlFor(env.host, (app.getHttpServer().address() as AddressInfo).port));
exitOnSignal(async () => {
  await app.close();
  await redis?.close();
});
