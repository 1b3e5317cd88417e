/**
 * @module test/samples/scenario — what a newcomer does with the sample chat, in a real browser:
 * two people chat in a room, one loses its transport and comes back to the messages it missed,
 * and the dashboard shows the live connection count. Shared by the three framework versions.
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { Browser, Page } from "playwright-core";
import { openPage, pageErrors, screenshot, type RunningSample } from "./browser.js";

/** Waits for a chat line (message or system line) containing `text`. */
function line(page: Page, text: string, cls = "message") {
  return page.locator(`#messages li.${cls}`, { hasText: text });
}

async function connected(page: Page): Promise<void> {
  await page.locator("#status", { hasText: "connected (" }).waitFor();
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill("#input", text);
  await page.press("#input", "Enter");
}

/** The dashboard's big connection number, once it equals `n`. */
async function dashboardShows(page: Page, n: number): Promise<void> {
  await page.locator("#connections").filter({ hasText: new RegExp(`^${n}$`) }).waitFor();
}

/**
 * Runs the whole scenario against a started sample; screenshots are named `<name>-*.png`.
 *
 * @param name the framework, for screenshot names
 */
export async function chatScenario(t: TestContext, browser: Browser, sample: RunningSample, name: string): Promise<void> {
  await t.test("serves the page and the client bundle from the same server", async () => {
    const page = await fetch(sample.url + "/");
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script src="\/socket\.io\/socket\.io\.min\.js"><\/script>/);
    const bundle = await fetch(sample.url + "/socket.io/socket.io.min.js");
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get("content-type") ?? "", /javascript/);
    assert.ok((await bundle.text()).length > 10_000);
  });

  await t.test("checks the nickname sent in the handshake's auth", async () => {
    const page = await openPage(browser, `${sample.url}/?nick=${"x".repeat(30)}`);
    await page.locator("#login-error", { hasText: "nickname" }).waitFor();
    assert.equal(await page.locator("#login").isVisible(), true);
    await page.context().close();
  });

  const alice = await openPage(browser, `${sample.url}/?nick=alice`);
  const bob = await openPage(browser, `${sample.url}/?nick=bob`);

  await t.test("two pages exchange messages in a room, confirmed by ack", async () => {
    await Promise.all([connected(alice), connected(bob)]);
    await alice.locator("#members li", { hasText: "bob" }).waitFor();
    await say(alice, "hello from alice");
    await line(bob, "hello from alice").waitFor();
    await line(alice, "hello from alice").locator(".state.delivered").waitFor();
    await say(bob, "hi alice");
    await line(alice, "hi alice").waitFor();
    assert.equal(await line(bob, "hello from alice").locator(".nick").textContent(), "alice");
  });

  await t.test("shows who is typing (a volatile event)", async () => {
    await alice.fill("#input", "I am typ");
    await bob.locator("#typing", { hasText: "alice is typing" }).waitFor();
    await alice.fill("#input", "");
    await screenshot(alice, `${name}-chat-alice`);
  });

  await t.test("a page that loses its transport gets the messages it missed when it comes back", async () => {
    await bob.click("#drop");
    await bob.locator("#status", { hasText: "offline" }).waitFor();
    // The server has seen bob go once alice gets the notice; what follows is what bob misses.
    await line(alice, "bob left", "system").waitFor();
    await say(alice, "while you were away 1");
    await say(alice, "while you were away 2");
    await line(alice, "while you were away 2").locator(".state.delivered").waitFor();
    assert.equal(await line(bob, "while you were away").count(), 0, "bob is offline and sees nothing yet");

    await bob.click("#drop");
    await connected(bob);
    await line(bob, "while you were away 1").waitFor();
    await line(bob, "while you were away 2").waitFor();
    assert.equal(await bob.locator("#messages li.message.missed").count(), 2);
    await bob.locator("#notice", { hasText: "2 missed messages" }).waitFor();
    assert.equal(await line(bob, "hello from alice").count(), 1, "nothing is shown twice");
    await screenshot(bob, `${name}-chat-bob-recovered`);

    await say(bob, "back online");
    await line(alice, "back online").waitFor();
  });

  await t.test("rooms keep conversations apart", async () => {
    await bob.fill("#new-room-name", "ops");
    await bob.press("#new-room-name", "Enter");
    await bob.locator("#room-name", { hasText: "ops" }).waitFor();
    await say(alice, "only in general");
    await line(alice, "only in general").locator(".state.delivered").waitFor();
    await alice.click('#rooms button[data-room="ops"]');
    await alice.locator("#room-name", { hasText: "ops" }).waitFor();
    await say(alice, "hello ops");
    await line(bob, "hello ops").waitFor();
    assert.equal(await line(bob, "only in general").count(), 0);
  });

  await t.test("the dashboard shows the live connection count", async () => {
    const dash = await openPage(browser, `${sample.url}/dashboard`);
    await dash.locator("#status", { hasText: "live" }).waitFor();
    // alice, bob and the dashboard itself: one Engine.IO connection each
    await dashboardShows(dash, 3);
    const chart = () => dash.locator("#chart-connections").evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL());
    const drawn = await chart();
    await alice.context().close();
    await dashboardShows(dash, 2);
    assert.notEqual(await chart(), drawn, "the connections chart is redrawn as the count changes");
    await dash.locator("#chart-reasons").waitFor();
    await screenshot(dash, `${name}-dashboard`);
    const metrics = await fetch(sample.url + "/metrics");
    assert.equal(metrics.status, 200);
    // (Express may reorder the parameters: "text/plain; charset=utf-8; version=0.0.4")
    assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain;.*version=0\.0\.4/);
    const text = await metrics.text();
    assert.match(text, /^socketeer_connections\{transport="(websocket|polling)"\} \d+$/m);
    assert.match(text, /^socketeer_events_received_total [1-9]\d*$/m);
    for (const page of [alice, bob, dash]) assert.deepEqual(pageErrors(page), [], "no uncaught error in the page");
    await bob.context().close();
    await dash.context().close();
  });
}
