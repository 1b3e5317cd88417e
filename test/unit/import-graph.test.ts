/**
 * @module test/unit/import-graph — draws the imports between core files (type-only imports
 * included: a type cycle is still a knot in the design) and fails on any cycle. An import that
 * must close a cycle carries a `// cycle: <why>` comment just before it and is left out of the
 * check (only the public types' back-references do: `socket.nsp`, `nsp.server`).
 *
 * Run alone to print the drawing: `SKT_PRINT_IMPORTS=1 npx tsx --test test/unit/import-graph.test.ts`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const core = join(root, "core");

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, out);
    else if (p.endsWith(".ts") || p.endsWith(".cts")) out.push(p);
  }
  return out;
}

// `import … from "x"`, `import "x"`, `export … from "x"` (multi-line lists included)
const IMPORT = /(?:^|\n)((?:[ \t]*\/\/[^\n]*\n)*)\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?["']([^"']+)["']/g;

/** The core files each core file imports, with the comment that justifies a cycle, if any. */
export function importGraph(): Map<string, { to: string; why?: string }[]> {
  const graph = new Map<string, { to: string; why?: string }[]>();
  for (const file of filesUnder(core)) {
    const text = readFileSync(file, "utf8");
    const edges: { to: string; why?: string }[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[2]!;
      if (!spec.startsWith(".")) continue;
      const target = resolve(dirname(file), spec).replace(/\.c?js$/, (ext) => (ext === ".cjs" ? ".cts" : ".ts"));
      const why = /\/\/\s*cycle:\s*(.+)/.exec(m[1] ?? "")?.[1];
      edges.push(why === undefined ? { to: relative(root, target) } : { to: relative(root, target), why });
    }
    graph.set(relative(root, file), edges);
  }
  return graph;
}

/** Strongly connected components with more than one file (or a file importing itself). */
function cycles(graph: Map<string, { to: string; why?: string }[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const { to, why } of graph.get(v) ?? []) {
      if (why !== undefined || !graph.has(to)) continue;
      if (!idx.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (on.has(to)) low.set(v, Math.min(low.get(v)!, idx.get(to)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).some((e) => e.to === v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test("core files import each other without cycles", () => {
  const graph = importGraph();
  if (process.env.SKT_PRINT_IMPORTS) {
    for (const [file, edges] of [...graph].sort()) console.log(`${file}\n${edges.map((e) => `  → ${e.to}`).join("\n")}`);
  }
  assert.ok(graph.size > 30, "the drawing found the core files");
  assert.deepEqual(cycles(graph), []);
});
