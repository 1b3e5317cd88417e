/**
 * The samples and the runnable examples import the package as an app does (`socketeer`,
 * `socketeer/fastify` …), never the sources by a relative path, so a copied sample works in an app.
 * tsconfig.json's `paths` resolve those names to the sources for tsx and tsc; the compiled NestJS
 * sample resolves them through scripts/samples-resolve.mjs (`npm start -- nest`).
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { root } from "./support.js";

const examples = [
  ...readdirSync(join(root, "samples", "chat")).filter((f) => f.endsWith(".ts")).map((f) => `samples/chat/${f}`),
  "test/redis/fixtures/example-node.ts",
  "test/docs/fixtures/express-socketeer-app.ts",
];

test("samples and examples import socketeer by its package names", () => {
  const offenders: string[] = [];
  let packageImports = 0;
  for (const file of examples) {
    const text = readFileSync(join(root, file), "utf8");
    for (const m of text.matchAll(/(?:from\s+|import\()\s*["']([^"']+)["']/g)) {
      const spec = m[1]!;
      if (spec.startsWith(".") && /(^|\/)(core|integrations)(\/|$)/.test(spec)) offenders.push(`${file}: ${spec}`);
      if (spec === "socketeer" || spec.startsWith("socketeer/")) packageImports++;
    }
  }
  assert.deepEqual(offenders, [], "imports of the sources by path");
  assert.ok(packageImports >= examples.length, `only ${packageImports} imports of socketeer/…`);
});

test("the package names resolve to the sources for tsx and tsc (tsconfig.json paths)", () => {
  const config = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")) as { compilerOptions: { paths: Record<string, string[]> } };
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, unknown> };
  const names = Object.keys(pkg.exports).filter((k) => k !== "./package.json").map((k) => (k === "." ? "socketeer" : `socketeer/${k.slice(2)}`));
  assert.deepEqual(Object.keys(config.compilerOptions.paths).sort(), names.sort());
});
