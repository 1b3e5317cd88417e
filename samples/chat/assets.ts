/**
 * @module samples/chat/assets — the chat's static files (page, dashboard, scripts, stylesheet),
 * read once from `samples/chat/public/` and served by each framework its own way.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** One static file, ready to send. */
export interface Asset {
  readonly type: string;
  readonly body: string;
}

const TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/**
 * Finds `public/` next to this file, or, when this file was compiled elsewhere (the NestJS
 * sample runs from a tsc build), `samples/chat/public` under the project root.
 */
function publicDir(): string {
  const candidates = [
    join(import.meta.dirname, "public"),
    resolve(process.cwd(), "samples/chat/public"),
    resolve(import.meta.dirname, "../../../samples/chat/public"),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, "index.html")));
  if (found === undefined) throw new Error(`samples/chat/public not found (looked in ${candidates.join(", ")})`);
  return found;
}

function load(): ReadonlyMap<string, Asset> {
  const dir = publicDir();
  const files = ["index.html", "dashboard.html", "chat.js", "dashboard.js", "style.css"];
  return new Map(
    files.map((name) => [name, { type: TYPES[name.slice(name.lastIndexOf(".") + 1)]!, body: readFileSync(join(dir, name), "utf8") }]),
  );
}

/** The files under `/assets/<name>`, plus the two pages. */
export const assets: ReadonlyMap<string, Asset> = load();

/** The chat page, served at `/`. */
export const chatPage: Asset = assets.get("index.html")!;

/** The dashboard page, served at `/dashboard`. */
export const dashboardPage: Asset = assets.get("dashboard.html")!;
