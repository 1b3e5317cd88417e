/**
 * @module test/integrations/nestjs/socketeer-extras.test — what SocketeerAdapter does better than the stock
 * IoAdapter: errors thrown by `handleConnection` reach the client, the handshake can be guarded with an HTTP
 * status, `createIOServer` stays the extension point, and options are validated.
 */
import "reflect-metadata";
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { Module, UnauthorizedException, type DynamicModule } from "@nestjs/common";
import {
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  WsException,
  type OnGatewayConnection,
} from "@nestjs/websockets";
import type { Server, Socket } from "socket.io";
import { InMemoryAdapter } from "../../../core/index.js";
import { SocketeerAdapter, type SocketeerAdapterOptions } from "../../../integrations/nestjs/index.js";
import { until } from "../../helpers/wait.js";
import { ask, Clients, NEST_MAJOR, next, PLATFORMS, startApp, type StartedApp } from "./fixtures/app.js";

@WebSocketGateway()
class PickyGateway implements OnGatewayConnection {
  async handleConnection(client: Socket): Promise<void> {
    const mode = (client.handshake.auth as { mode?: string }).mode;
    if (mode === "ws-exception") throw new WsException("Unauthorized");
    if (mode === "http-exception") {
      await Promise.resolve();
      throw new UnauthorizedException();
    }
    if (mode === "error") throw new Error("database password leaked here");
  }

  @SubscribeMessage("echo")
  echo(@MessageBody() data: unknown): unknown {
    return data;
  }

  /** A reply no encoder can send (JSON has no cycles). */
  @SubscribeMessage("circular")
  circular(@MessageBody() data: unknown): unknown {
    const reply: Record<string, unknown> = { data };
    reply.self = reply;
    return reply;
  }
}

@Module({ providers: [PickyGateway] })
class PickyModule {}

const picky: DynamicModule = { module: PickyModule };

@WebSocketGateway()
class BroadcastGateway {
  @WebSocketServer()
  server!: Server;

  @SubscribeMessage("shout")
  shout(@MessageBody() data: unknown): boolean {
    this.server.emit("news", data);
    return true;
  }
}

@Module({ providers: [BroadcastGateway] })
class BroadcastModule {}

const broadcaster: DynamicModule = { module: BroadcastModule };


for (const platform of PLATFORMS) {
  describe(`SocketeerAdapter extras on ${platform} (Nest ${NEST_MAJOR})`, () => {
    describe("errors thrown in handleConnection", () => {
      const clients = new Clients();
      let started: StartedApp;
      before(async () => {
        started = await startApp(platform, picky, (app) => new SocketeerAdapter(app));
      });
      afterEach(() => clients.closeAll());
      after(() => started.close());

      const cases = [
        ["ws-exception", "Unauthorized"],
        ["http-exception", "Unauthorized"],
        ["error", "Internal server error"],
      ] as const;
      for (const [mode, message] of cases) {
        it(`sends an exception event and disconnects the client (${mode})`, async () => {
          const c = clients.open(started.url, "/", { auth: { mode } });
          const exception = next<[unknown]>(c, "exception");
          const gone = next<[string]>(c, "disconnect");
          assert.deepEqual(await exception, [{ status: "error", message, cause: { pattern: "handleConnection" } }]);
          assert.equal((await gone)[0], "io server disconnect");
        });
      }

      it("keeps serving clients whose handleConnection succeeds", async () => {
        const c = await clients.connect(started.url, "/", { auth: { mode: "ok" } });
        assert.equal(await ask(c, "echo", 1), 1);
      });

      it("turns a reply the encoder refuses into an exception event instead of an uncaught exception", async () => {
        const c = await clients.connect(started.url, "/", { auth: { mode: "ok" } });
        const exception = next<[unknown]>(c, "exception");
        c.emit("circular", 7, () => assert.fail("a circular reply cannot be acked"));
        assert.deepEqual(await exception, [{ status: "error", message: "Internal server error", cause: { pattern: "circular", data: 7 } }]);
        assert.equal(await ask(c, "echo", 2), 2);
      });
    });

    describe("handshakeGuard", () => {
      const clients = new Clients();
      let started: StartedApp;
      const seen: string[] = [];
      before(async () => {
        started = await startApp(platform, picky, (app) =>
          new SocketeerAdapter(app, {
            handshakeGuard: async (req) => {
              seen.push(req.url ?? "");
              return req.headers["x-token"] === "letmein" || { status: 401, message: "Unauthorized" };
            },
          }),
        );
      });
      afterEach(() => clients.closeAll());
      after(() => started.close());

      it("answers the guard's HTTP status, which reaches connect_error", async () => {
        const c = clients.open(started.url);
        const [err] = await next<[Error & { description?: unknown }]>(c, "connect_error");
        assert.equal(err.description, 401);
      });

      it("refuses a WebSocket-only handshake too", async () => {
        const c = clients.open(started.url, "/", { transports: ["websocket"] });
        const [err] = await next<[Error]>(c, "connect_error");
        assert.ok(err instanceof Error);
      });

      it("lets an authorized handshake through, upgrade included, asking once per session", async () => {
        const before = seen.length;
        const c = await clients.connect(started.url, "/", { extraHeaders: { "x-token": "letmein" } });
        assert.equal(await ask(c, "echo", "in"), "in");
        await until(() => c.io.engine.transport.name === "websocket", undefined, "the upgrade");
        assert.equal(seen.length - before, 1);
      });
    });
  });
}

describe("SocketeerAdapter construction", () => {
  it("keeps createIOServer(port, options) overridable (the RedisIoAdapter pattern)", async (t) => {
    const calls: Array<[number, unknown]> = [];
    class SpyAdapter extends SocketeerAdapter {
      override createIOServer(port: number, options?: Parameters<SocketeerAdapter["createIOServer"]>[1]) {
        calls.push([port, options]);
        return super.createIOServer(port, options);
      }
    }
    const clients = new Clients();
    t.after(() => clients.closeAll());
    const started = await startApp("express", picky, (app) => new SpyAdapter(app));
    t.after(() => started.close());
    const c = await clients.connect(started.url);
    assert.equal(await ask(c, "echo", 2), 2);
    assert.deepEqual(calls.map(([port]) => port), [0]);
  });

  it("uses the cluster adapter a createIOServer override installs", async (t) => {
    const broadcasts: unknown[] = [];
    class CountingAdapter extends InMemoryAdapter {
      override broadcast(...args: Parameters<InMemoryAdapter["broadcast"]>): void {
        broadcasts.push(args[0].data);
        super.broadcast(...args);
      }
    }
    class ClusterIoAdapter extends SocketeerAdapter {
      override createIOServer(port: number, options?: Parameters<SocketeerAdapter["createIOServer"]>[1]) {
        const server = super.createIOServer(port, options);
        server.adapter(CountingAdapter);
        return server;
      }
    }
    const clients = new Clients();
    t.after(() => clients.closeAll());
    const started = await startApp("fastify", broadcaster, (app) => new ClusterIoAdapter(app));
    t.after(() => started.close());
    const a = await clients.connect(started.url);
    const b = await clients.connect(started.url);
    const got = next<[unknown]>(b, "news");
    assert.equal(await ask(a, "shout", "hello"), true);
    assert.deepEqual(await got, ["hello"]);
    assert.deepEqual(broadcasts, [["news", "hello"]]);
  });

  it("rejects unknown options", () => {
    assert.throws(() => new SocketeerAdapter(undefined, { handshakeGuardd: () => true } as never), {
      code: "SKT_ERR_OPTIONS_UNKNOWN",
    });
    assert.throws(() => new SocketeerAdapter(undefined, { rejectOnConnectionError: "yes" } as never), {
      code: "SKT_ERR_OPTIONS_INVALID_TYPE",
    });
  });
});
