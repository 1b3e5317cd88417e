import assert from "node:assert/strict";
import { test } from "node:test";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { Server } from "../../../core/index.js";
import { rawRequest } from "../../helpers/raw-engine-client.js";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

test("new Server(port) listens at once and answers 404 outside its path", async (t) => {
  const port = await freePort();
  const io = new Server(port);
  t.after(() => io.close());
  await new Promise<void>((resolve) => (io.httpServer!.listening ? resolve() : io.httpServer!.once("listening", () => resolve())));
  const other = await rawRequest(`http://127.0.0.1:${port}/elsewhere`);
  assert.equal(other.status, 404);
  const handshake = await rawRequest(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`);
  assert.equal(handshake.status, 200);
  assert.match(handshake.body, /^0\{/);
});
