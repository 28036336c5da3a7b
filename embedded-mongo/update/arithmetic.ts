import { Decimal128, Double, Int32, Long } from "bson";
import { storedDouble } from "../bson-values";

/**
 * `$inc` and `$mul` with MongoDB's result types: int32 with int32 stays int32 unless it overflows
 * into a long; a long stays a long; anything with a double is a double (kept a double even when
 * the result is integral). Decimal128 and a long overflowing 64 bits are left to the general path
 * (`undefined`).
 */

type Kind = 0 | 1 | 2 | 3; // int, long, double, decimal

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The numeric kind of a stored value, or undefined for a non-number. */
export function numericKind(v: unknown): Kind | undefined {
  if (typeof v === "number") return Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX ? 0 : 2;
  if (v instanceof Int32) return 0;
  if (v instanceof Long) return 1;
  if (v instanceof Double) return 2;
  if (v instanceof Decimal128) return 3;
  return undefined;
}

const asNumber = (v: unknown): number => (v instanceof Long ? v.toNumber() : Number(v));
const asBigInt = (v: unknown): bigint => (v instanceof Long ? v.toBigInt() : BigInt(asNumber(v)));

/** `old` (a number of any kind) combined with `operand`, or undefined when the store leaves it to mingo. */
export function combine(op: "$inc" | "$mul", old: unknown, operand: unknown): unknown {
  const kind = Math.max(numericKind(old) ?? 3, numericKind(operand) ?? 3) as Kind;
  if (kind === 3) return undefined;
  if (kind === 2) {
    const a = asNumber(old);
    const b = asNumber(operand);
    return storedDouble(op === "$inc" ? a + b : a * b);
  }
  if (kind === 0) {
    const a = asNumber(old);
    const b = asNumber(operand);
    const r = op === "$inc" ? a + b : a * b;
    if (r >= INT32_MIN && r <= INT32_MAX) return r;
    return Long.fromBigInt(op === "$inc" ? BigInt(a) + BigInt(b) : BigInt(a) * BigInt(b));
  }
  const r = op === "$inc" ? asBigInt(old) + asBigInt(operand) : asBigInt(old) * asBigInt(operand);
  return r >= INT64_MIN && r <= INT64_MAX ? Long.fromBigInt(r) : undefined;
}

/** Zero of the operand's kind: what `$mul` leaves in a missing field. */
export function zeroLike(operand: unknown): unknown {
  const kind = numericKind(operand);
  return kind === 1 ? Long.ZERO : kind === 2 ? new Double(0) : 0;
}
