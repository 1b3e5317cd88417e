/**
 * @module util/ids — unguessable identifiers for sessions and sockets (crypto random, base64url).
 */
import { randomFillSync } from "node:crypto";

/** Bytes of randomness in an id: 15 bytes → 120 bits → 20 base64url characters. */
const ID_BYTES = 15;

/**
 * Generates a fresh unguessable id.
 *
 * @returns 20 base64url characters (`[A-Za-z0-9_-]`) carrying 120 random bits
 * @example
 * generateId(); // "hG3k9_x0aZ-QpL2mN8bVt"
 */
export function generateId(): string {
  // one randomBytes call per 256 ids: a call costs far more than the bytes it returns
  if (poolOffset + ID_BYTES > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const id = pool.toString("base64url", poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return id;
}

const pool = Buffer.allocUnsafe(ID_BYTES * 256);
let poolOffset = pool.length;
