import { test } from "node:test";
import { needChromium } from "../helpers/services.js";
import { launchBrowser, startSample } from "./browser.js";
import { chatScenario } from "./scenario.js";

// `npm start -- nest` compiles the sample with tsc first (Nest's decorators need emitDecoratorMetadata).
test("the NestJS sample chat works in a browser (npm start -- nest)", { skip: await needChromium() }, async (t) => {
  const sample = await startSample(t, ["scripts/start.mjs", "nest"], {}, 180_000);
  const browser = await launchBrowser(t);
  await chatScenario(t, browser, sample, "nestjs");
});
