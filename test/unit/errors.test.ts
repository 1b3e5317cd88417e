import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ERROR_CODES, createError, createErrorWithCause, isSocketeerError } from "../../core/errors.js";

const page = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
const section = page.slice(page.indexOf("<!-- error-codes:start -->"), page.indexOf("<!-- error-codes:end -->"));

test("every registered code follows SKT_ERR_<AREA>_<WHAT> and is unique", () => {
  assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
  for (const code of ERROR_CODES) assert.match(code, /^SKT_ERR_[A-Z]+(_[A-Z0-9]+)+$/);
});

test("the error table in docs/errors.md lists exactly the registered codes", () => {
  assert.ok(section.length > 0, "docs/errors.md has an error-codes section");
  const listed = new Set([...section.matchAll(/^\|\s*`(SKT_ERR_[A-Z0-9_]+)`/gm)].map((m) => m[1]));
  const missing = ERROR_CODES.filter((c) => !listed.has(c));
  const extra = [...listed].filter((c) => !(ERROR_CODES as readonly string[]).includes(c!));
  assert.deepEqual(missing, [], "codes missing from docs/errors.md");
  assert.deepEqual(extra, [], "codes in docs/errors.md that the registry does not have");
});

test("every row of the error table says what to do", () => {
  const rows = [...section.matchAll(/^\|\s*`(SKT_ERR_[A-Z0-9_]+)`(.*)$/gm)];
  assert.ok(rows.length > 0);
  for (const [, code, rest] of rows) {
    const cells = rest!.split("|").slice(1, -1).map((c) => c.trim());
    assert.equal(cells.length, 4, `${code}: class, HTTP / close, when, what to do`);
    assert.ok(cells[3]!.length > 10, `${code} has no "what to do"`);
  }
});

test("createError sets code, base class and wire codes", () => {
  const e = createError("SKT_ERR_OPTIONS_INVALID_TYPE", "pingInterval", "a number", "string x");
  assert.ok(e instanceof TypeError);
  assert.equal(e.code, "SKT_ERR_OPTIONS_INVALID_TYPE");
  assert.match(e.message, /pingInterval/);
  const big = createError("SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE", 10);
  assert.ok(big instanceof RangeError);
  assert.equal(big.statusCode, 413);
  assert.equal(big.closeCode, 1009);
  assert.ok(isSocketeerError(big, "SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE"));
  assert.ok(!isSocketeerError(new Error("x")));
});

test("createErrorWithCause keeps the wrapped error", () => {
  const cause = new Error("inner");
  const e = createErrorWithCause("SKT_ERR_ENGINE_TRANSPORT", cause, "boom");
  assert.equal(e.cause, cause);
});

/** Every .ts file under `dir`. */
function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

test("every registered code is raised somewhere in the library (no dead codes)", () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const registry = join(root, "core", "errors.ts");
  const text = [...sources(join(root, "core")), ...sources(join(root, "integrations"))]
    .filter((p) => p !== registry)
    .map((p) => readFileSync(p, "utf8"))
    .join("\n");
  const unused = ERROR_CODES.filter((code) => !new RegExp(`createError(WithCause)?\\(\\s*"${code}"`).test(text));
  assert.deepEqual(unused, [], "codes that nothing creates: remove them from core/errors.ts and docs/errors.md");
});

test("the stack of a created error starts at its caller, not inside core/errors.ts", () => {
  function raiseHere(): Error {
    return createError("SKT_ERR_ENGINE_CLOSED");
  }
  for (const e of [raiseHere(), createErrorWithCause("SKT_ERR_ENGINE_TRANSPORT", new Error("x"), "y")]) {
    const first = e.stack?.split("\n").find((l) => l.trimStart().startsWith("at ")) ?? "";
    assert.doesNotMatch(first, /errors\.ts/);
    assert.match(first, /errors\.test\.ts/);
  }
  const first = raiseHere().stack?.split("\n").find((l) => l.trimStart().startsWith("at ")) ?? "";
  assert.match(first, /raiseHere/);
});
