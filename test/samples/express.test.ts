import { test } from "node:test";
import { needChromium } from "../helpers/services.js";
import { launchBrowser, startSample } from "./browser.js";
import { chatScenario } from "./scenario.js";

test("the Express sample chat works in a browser (npm start -- express)", { skip: await needChromium() }, async (t) => {
  const sample = await startSample(t, ["scripts/start.mjs", "express"]);
  const browser = await launchBrowser(t);
  await chatScenario(t, browser, sample, "express");
});
