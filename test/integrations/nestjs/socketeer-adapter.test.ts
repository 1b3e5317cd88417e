/**
 * @module test/integrations/nestjs/socketeer-adapter.test — the scenario suite against our adapter: the
 * same assertions the stock IoAdapter passes (stock-adapter.test.ts), on Express and Fastify.
 */
import "reflect-metadata";
import { SocketeerAdapter } from "../../../integrations/nestjs/index.js";
import { runScenarios } from "./scenarios.js";

runScenarios("SocketeerAdapter", (app) => new SocketeerAdapter(app));
