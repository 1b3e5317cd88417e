/**
 * @module test/samples/browser — the browser-test harness: headless Chromium through playwright-core,
 * the sample apps started as child processes the way a newcomer starts them, screenshots under
 * test-results/ (gitignored).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TestContext } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM_PATH } from "../helpers/services.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const RESULTS_DIR = join(ROOT, "test-results", "samples");

/** Browser waits: longer than WAIT_MS, a page load on a busy 2-CPU machine takes a while. */
export const BROWSER_WAIT_MS = 15_000;

/** The flags the project runs Chromium with (no network side traffic, no sandbox in containers). */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches headless Chromium; closes it after the test (or suite). */
export async function launchBrowser(t: Pick<TestContext, "after">): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
  t.after(() => browser.close());
  return browser;
}

const uncaught = new WeakMap<Page, string[]>();

/** Opens a page in its own context (own sessionStorage, like a second browser tab of another user). */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  const errors: string[] = [];
  uncaught.set(page, errors);
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(url);
  return page;
}

/** Uncaught exceptions thrown by the page's scripts so far. */
export function pageErrors(page: Page): readonly string[] {
  return uncaught.get(page) ?? [];
}

/** Saves a full-page screenshot as test-results/samples/<name>.png; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A sample app running in a child process. */
export interface RunningSample {
  /** The URL the app printed. */
  readonly url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` with PORT=0 and HOST=127.0.0.1, and resolves with the URL it prints
 * ("… running at http://…"). Stopped after the test.
 */
export async function startSample(
  t: Pick<TestContext, "after">,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  ms = 60_000,
): Promise<RunningSample> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", REDIS_URL: "", NODE_OPTIONS: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const stop = () => stopChild(child);
  t.after(stop);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => done(new Error(`no URL printed within ${ms} ms:\n${out}`)), ms);
    const onData = () => {
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) done(undefined, m[1]);
    };
    const onExit = (code: number | null) => done(new Error(`sample exited (${code}) before listening:\n${out}`));
    function done(err: Error | undefined, value?: string) {
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolveUrl(value!);
    }
    child.stdout!.on("data", onData);
    child.once("exit", onExit);
  });
  return { url, output: () => out, stop };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolveStop) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill("SIGTERM");
  });
}
