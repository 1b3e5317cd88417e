/**
 * The shape of the documentation: README.md stays short and links into docs/; docs/ holds only the
 * pages of the fixed list, each starting with what it is for; every relative link resolves.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";
import { anchors, markdownFiles, relativeLinks, root } from "./support.js";

const PAGES = [
  "getting-started", "migrating-from-socket-io", "compatibility", "fastify", "express", "nestjs", "scaling-out",
  "connection-state-recovery", "limits-and-security", "metrics", "engine", "errors", "benchmarks", "debugging",
  "architecture",
];
/** Pages other work creates; they may be missing for now. */
/** Pages of docs/ outside the user documentation. */
const OTHER_FILES = new Set(["docs/CONTRIBUTING.md"]);

const read = (file: string): string => readFileSync(join(root, file), "utf8");

test("README.md is at most 15 KB", () => {
  const size = statSync(join(root, "README.md")).size;
  assert.ok(size <= 15 * 1024, `README.md is ${size} bytes`);
});

test("docs/ holds only the fixed pages, and each one exists", () => {
  const files = markdownFiles().filter((f) => f !== "README.md");
  const allowed = new Set([...PAGES.map((p) => `docs/${p}.md`), ...OTHER_FILES]);
  assert.deepEqual(files.filter((f) => !allowed.has(f)), [], "pages outside the fixed list");
  const missing = PAGES.map((p) => `docs/${p}.md`).filter((f) => !existsSync(join(root, f)));
  assert.deepEqual(missing, []);
});

test("every page starts with a title and what it is for", () => {
  for (const file of markdownFiles().filter((f) => f.startsWith("docs/") && !OTHER_FILES.has(f))) {
    const [title, blank, purpose] = read(file).split("\n");
    assert.match(title!, /^# \S/, `${file} starts with a # title`);
    assert.equal(blank, "", `${file}: a blank line after the title`);
    assert.match(purpose!, /^What this page is for: /, `${file} says what it is for`);
  }
});

test("README.md links to every page of docs/", () => {
  const readme = read("README.md");
  for (const p of PAGES) assert.ok(readme.includes(`](docs/${p}.md`), `README.md links to docs/${p}.md`);
});

test("the benchmark page names the machine and the commit of its results", () => {
  const page = read("docs/benchmarks.md");
  assert.match(page, /tree at `[0-9a-f]{7,40}`/);
  assert.match(page, /vCPU/);
  assert.match(page, /Node v\d+/);
});

test("every relative link resolves, anchors included", () => {
  const broken: string[] = [];
  for (const file of markdownFiles()) {
    for (const link of relativeLinks(file)) {
      const [path, anchor] = link.target.split("#") as [string, string | undefined];
      const target = path === "" ? file : relative(root, normalize(join(root, dirname(file), decodeURI(path))));
      const where = `${link.file}:${link.line} → ${link.target}`;
      if (!existsSync(join(root, target))) {
        broken.push(`${where} (no such file)`);
        continue;
      }
      if (anchor !== undefined && target.endsWith(".md") && !anchors(target).has(anchor)) broken.push(`${where} (no such heading)`);
    }
  }
  assert.deepEqual(broken, []);
});
