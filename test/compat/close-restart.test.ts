/**
 * @module test/compat/close-restart — `io.close(cb)` hands the HTTP server's close error to
 * `cb`, and a closed server can be attached or `listen()`ed again and accepts connections
 * (a fresh engine), on socket.io and on Socketeer.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { closeServer, listen } from "../helpers/listen.js";
import { once } from "../helpers/wait.js";
import { IMPLEMENTATIONS, waitFor } from "./support.js";

async function connects(t: { after(fn: () => void): void }, url: string): Promise<ClientSocket> {
  const c = ioc(url, { forceNew: true, reconnection: false, transports: ["polling"] });
  t.after(() => c.close());
  await waitFor(c, "connect");
  return c;
}

for (const { name, Server } of IMPLEMENTATIONS) {
  describe(name, () => {
    test("close(cb) passes ERR_SERVER_NOT_RUNNING when the HTTP server is not running", async () => {
      const io = new Server(createServer());
      const err = await new Promise<Error | undefined>((resolve) => void io.close(resolve));
      assert.equal((err as NodeJS.ErrnoException | undefined)?.code, "ERR_SERVER_NOT_RUNNING");
    });

    test("close(cb) passes no error when it closed a running HTTP server", async () => {
      const { server } = await listen(undefined);
      const io = new Server(server);
      const err = await new Promise<Error | undefined>((resolve) => void io.close(resolve));
      assert.equal(err ?? undefined, undefined);
      assert.equal(server.listening, false);
    });

    test("a closed server attached to a new HTTP server accepts connections", async (t) => {
      const first = await listen(undefined);
      const io = new Server(first.server);
      await connects(t, first.url);
      await io.close();
      const second = await listen(t);
      io.attach(second.server);
      t.after(() => io.close());
      const c = await connects(t, second.url);
      assert.equal(c.connected, true);
    });

    test("a closed server listen()ing again on a port accepts connections", async (t) => {
      const io = new Server();
      io.listen(0);
      const started = async (): Promise<string> => {
        const http = io.httpServer as HttpServer;
        if (!http.listening) await once(http, "listening");
        return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      };
      await connects(t, await started());
      await io.close();
      io.listen(0);
      t.after(async () => {
        await io.close();
        await closeServer(io.httpServer as HttpServer);
      });
      const c = await connects(t, await started());
      assert.equal(c.connected, true);
    });
  });
}
