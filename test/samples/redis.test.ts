import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { REDIS_URL, needChromium, needRedis } from "../helpers/services.js";
import { until } from "../helpers/wait.js";
import { launchBrowser, openPage, screenshot, startSample } from "./browser.js";

const skip = (await needRedis()) || (await needChromium());

test("two `npm start`s with REDIS_URL share one chat", { skip }, async (t) => {
  // A key of its own, so no other test on the same Redis sees this chat (and the other way round).
  const env = { REDIS_URL, REDIS_KEY: `skt-sample-${randomBytes(4).toString("hex")}` };
  const [one, two] = await Promise.all([
    startSample(t, ["scripts/start.mjs"], env),
    startSample(t, ["scripts/start.mjs"], env),
  ]);
  assert.notEqual(one.url, two.url);
  // the banner's lines may arrive in separate stdout chunks
  await until(() => /adapter: /.test(one.output()), 5_000, "the adapter line of the banner");
  assert.match(one.output(), /adapter: Redis/);
  const browser = await launchBrowser(t);
  const alice = await openPage(browser, `${one.url}/?nick=alice`);
  const bob = await openPage(browser, `${two.url}/?nick=bob`);
  await alice.locator("#status", { hasText: "connected (" }).waitFor();
  await bob.locator("#status", { hasText: "connected (" }).waitFor();
  // presence comes from fetchSockets() across both nodes
  await bob.locator("#members li", { hasText: "alice" }).waitFor();

  await alice.fill("#input", "hello across nodes");
  await alice.press("#input", "Enter");
  await bob.locator("#messages li.message", { hasText: "hello across nodes" }).waitFor();
  await bob.fill("#input", "received on the other node");
  await bob.press("#input", "Enter");
  await alice.locator("#messages li.message", { hasText: "received on the other node" }).waitFor();
  await screenshot(bob, "redis-two-nodes");
  await alice.context().close();
  await bob.context().close();
});
