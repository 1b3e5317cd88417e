/**
 * @module util/ids — unguessable identifiers for sessions and sockets (crypto random, base64url).
 */
import { randomBytes } from "node:crypto";

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
  return randomBytes(ID_BYTES).toString("base64url");
}
