/**
 * @module test/integrations/nestjs/stock-adapter.test — the scenario suite against NestJS's own
 * `IoAdapter` (@nestjs/platform-socket.io + socket.io): the reference behaviour ours must match.
 */
import "reflect-metadata";
import { IoAdapter } from "@nestjs/platform-socket.io";
import { runScenarios } from "./scenarios.js";

runScenarios("stock IoAdapter", (app) => new IoAdapter(app), { stockGaps: true });
