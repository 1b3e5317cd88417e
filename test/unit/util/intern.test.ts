/**
 * The intern table (core/util/intern.ts) hands back an equal string and stays bounded.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { InternTable } from "../../../core/util/intern.js";

test("an intern table returns an equal string, keeps at most its capacity and skips long strings", () => {
  const t = new InternTable(2, 5);
  assert.equal(t.intern("ab"), "ab");
  assert.equal(t.intern(["a", "b"].join("")), "ab");
  assert.equal(t.intern("cd"), "cd");
  // full: starts over, and still answers with an equal string
  assert.equal(t.intern("ef"), "ef");
  assert.equal(t.intern("ab"), "ab");
  assert.equal(t.intern("abcdefgh"), "abcdefgh", "longer than maxLength: returned as is");
});
