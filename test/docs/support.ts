/**
 * @module test/docs/support — reading the Markdown pages (README.md and docs/*.md): their fenced
 * code blocks with line numbers, and their relative links.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "../..");

/** README.md and every page of docs/, as paths relative to the repository root. */
export function markdownFiles(): string[] {
  const pages = readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort();
  return ["README.md", ...pages.map((f) => `docs/${f}`)];
}

export interface CodeBlock {
  readonly file: string;
  /** 1-based line of the block's first code line. */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  /** Declarations from a `<!-- ts-prelude … -->` comment right above the fence (hidden in the page). */
  readonly prelude: string;
}

/** Every fenced block of a page (``` fences; the info string's first word is the language). */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const lang = open[2]!;
    let prelude = "";
    if (lines[i - 1]?.trim() === "-->") {
      let k = i - 2;
      while (k >= 0 && !lines[k]!.trim().startsWith("<!--")) k--;
      if (k >= 0 && lines[k]!.trim() === "<!-- ts-prelude") prelude = lines.slice(k + 1, i - 1).join("\n");
    }
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    blocks.push({ file, line: i + 2, lang, code: body.join("\n"), prelude });
    i = j;
  }
  return blocks;
}

/** Whether a block is TypeScript, which the code-block test compiles. */
export const isTypeScript = (b: CodeBlock): boolean => b.lang === "ts" || b.lang === "typescript";

export interface Link {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

/** Relative links (`[text](target)`) outside code blocks and inline code. */
export function relativeLinks(file: string): Link[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const links: Link[] = [];
  let inFence = false;
  lines.forEach((text, i) => {
    if (/^\s*```/.test(text)) inFence = !inFence;
    if (inFence) return;
    const bare = text.replace(/`[^`]*`/g, "");
    for (const m of bare.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
      links.push({ file, line: i + 1, target });
    }
  });
  return links;
}

/** The GitHub anchor of a heading: lower case, punctuation dropped, spaces as dashes. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a page's headings (duplicates get -1, -2 … as on GitHub). */
export function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let inFence = false;
  for (const text of readFileSync(join(root, file), "utf8").split("\n")) {
    if (/^\s*```/.test(text)) inFence = !inFence;
    const h = !inFence && /^#{1,6}\s+(.*)$/.exec(text);
    if (!h) continue;
    const base = anchorOf(h[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}
