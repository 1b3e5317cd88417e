/**
 * @module util/bits — flags kept as bits of one small integer (issue 18: heap per idle
 * connection: one field instead of one per flag on the objects made per connection).
 */

/**
 * @param bits the flags
 * @param bit the flag to set or clear (a power of two)
 * @param on whether it is set
 * @returns `bits` with `bit` set when `on`, cleared otherwise
 */
export function withBit(bits: number, bit: number, on: boolean): number {
  return on ? bits | bit : bits & ~bit;
}
