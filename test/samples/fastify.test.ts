import { test } from "node:test";
import { needChromium } from "../helpers/services.js";
import { launchBrowser, startSample } from "./browser.js";
import { chatScenario } from "./scenario.js";

test("the Fastify sample chat works in a browser (npm start)", { skip: await needChromium() }, async (t) => {
  const sample = await startSample(t, ["scripts/start.mjs"]);
  const browser = await launchBrowser(t);
  await chatScenario(t, browser, sample, "fastify");
});
