/**
 * @module test/integrations/nestjs/socketeer-adapter.test — the scenario suite against our adapter: the
 * same assertions the stock IoAdapter passes (stock-adapter.test.ts), on Express and Fastify.
 */
import "reflect-metadata";
import { SocketeerAdapter } from "../../../integrations/nestjs/index.js";
import { runScenarios } from "./scenarios.js";

runScenarios("SocketeerAdapter", (app) => new SocketeerAdapter(app), {
  knownGaps: {
    disconnectCloseAfterUpgrade:
      "core: socket.disconnect(true) right after the WebSocket upgrade loses the DISCONNECT packet (client sees 'transport close')",
    separatePort404: "core: new Server(port) leaves non-Socket.IO requests unanswered instead of 404",
  },
});
