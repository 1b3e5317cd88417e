/**
 * Every TypeScript block of README.md and docs/*.md compiles with `strict` against the package's
 * built declarations, imported as a user writes them (`socketeer`, `socketeer/fastify` …).
 *
 * The package is built (tsconfig.build.json, declarations only) into a consumer folder of its own,
 * .test-build/docs-consumer/node_modules/socketeer, rebuilt when a source is newer than the last build:
 * test/package/ rebuilds dist/ in parallel, so this test does not read dist/. The consumer folder has
 * its own package.json, so `socketeer` resolves through node_modules and the package's exports map,
 * as in an app; the framework packages resolve from the repository's node_modules.
 *
 * Blocks that augment a module (`declare module`, `declare global`) are compiled alone, the others
 * in one program, each block as its own module. A block may start from declarations in a
 * `<!-- ts-prelude … -->` comment right above its fence (for fragments such as `app.get(...)`).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import ts from "typescript";
import { codeBlocks, isTypeScript, markdownFiles, root, type CodeBlock } from "./support.js";

const consumer = join(root, ".test-build", "docs-consumer");
const pkg = join(consumer, "node_modules", "socketeer");
const stamp = join(pkg, ".built");

/** The newest modification time under the given paths. */
function newest(paths: string[]): number {
  let max = 0;
  const visit = (p: string): void => {
    const s = statSync(p);
    if (s.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
    else max = Math.max(max, s.mtimeMs);
  };
  for (const p of paths) visit(join(root, p));
  return max;
}

function buildPackageIfStale(): void {
  const sources = newest(["core", "integrations", "package.json", "tsconfig.json", "tsconfig.build.json"]);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  rmSync(pkg, { recursive: true, force: true });
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", join(pkg, "dist", "esm"),
    "--emitDeclarationOnly", "--sourceMap", "false", "--tsBuildInfoFile", join(consumer, "build.tsbuildinfo")], {
    cwd: root, encoding: "utf8",
  });
  assert.equal(r.status, 0, `building the package's declarations failed:\n${r.stdout}${r.stderr}`);
  cpSync(join(root, "package.json"), join(pkg, "package.json"));
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "docs-consumer", private: true, type: "module" }));
  writeFileSync(stamp, new Date().toISOString());
}

const options: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2023.d.ts"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  experimentalDecorators: true, // NestJS and socketeer/decorators, as their pages say
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  skipLibCheck: true,
  types: ["node"],
  noEmit: true,
};

const augments = (b: CodeBlock): boolean => /\bdeclare (module|global)\b/.test(b.code);

interface Written { readonly path: string; readonly block: CodeBlock; readonly offset: number }

function writeBlock(dir: string, b: CodeBlock, n: number): Written {
  const name = `${b.file.replace(/[/.]/g, "_")}_L${b.line}_${n}.ts`;
  const path = join(dir, name);
  const head = b.prelude ? `${b.prelude.trimEnd()}\n` : "";
  writeFileSync(path, `${head}${b.code}\nexport {};\n`);
  return { path, block: b, offset: head.split("\n").length - 1 };
}

function compile(files: Written[], host: ts.CompilerHost): string[] {
  const program = ts.createProgram(files.map((f) => f.path), options, host);
  const byPath = new Map(files.map((f) => [f.path, f]));
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const w = d.file && byPath.get(d.file.fileName);
    if (!w || d.start === undefined) return `${d.file?.fileName ?? "(program)"}: ${text}`;
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start);
    const where = line < w.offset ? `prelude of the block at ${w.block.file}:${w.block.line}` : `${w.block.file}:${w.block.line + line - w.offset}`;
    return `${where}: TS${d.code} ${text}`;
  });
}

test("every TypeScript block in README.md and docs/ compiles against the built package", { timeout: 600_000 }, () => {
  buildPackageIfStale();
  const blocks = markdownFiles().flatMap(codeBlocks).filter(isTypeScript);
  assert.ok(blocks.length >= 10, `found only ${blocks.length} TypeScript blocks`);
  for (const b of blocks) {
    assert.doesNotMatch(b.code, /from\s+["'](\.\.?\/|.*\/(core|integrations)\/)/, `${b.file}:${b.line} imports the sources, not the package`);
  }
  const dir = join(consumer, "blocks");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const host = ts.createCompilerHost(options);
  const cache = new Map<string, ts.SourceFile | undefined>();
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, fresh) => {
    if (name.startsWith(dir)) return getSourceFile(name, lang, onError, fresh);
    if (!cache.has(name)) cache.set(name, getSourceFile(name, lang, onError, fresh));
    return cache.get(name);
  };
  const written = blocks.map((b, n) => writeBlock(dir, b, n));
  const shared = written.filter((w) => !augments(w.block));
  const alone = written.filter((w) => augments(w.block));
  const errors = [...compile(shared, host), ...alone.flatMap((w) => compile([w], host))];
  assert.deepEqual(errors, [], `code blocks that do not compile:\n${errors.join("\n")}`);
});
