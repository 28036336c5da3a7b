import { Binary, Long } from "bson";
import type { Options } from "mingo/types";
import { resolve } from "mingo/util";
import type { Doc } from "../bson-values";
import { CommandError } from "../errors";

/**
 * `$bitsAllSet`, `$bitsAnySet`, `$bitsAllClear`, `$bitsAnyClear` over integers (two's complement,
 * sign-extended past bit 63) and BinData (bit n is bit n % 8 of byte n / 8), with a bitmask, a
 * list of bit positions or a BinData as the operand.
 */

function bitPositions(operand: unknown, name: string): number[] {
  if (operand instanceof Binary) return setBits(operand.value());
  if (Array.isArray(operand)) {
    for (const p of operand)
      if (!Number.isInteger(p) || (p as number) < 0)
        throw new CommandError(2, "BadValue", `bit positions must be non-negative integers in ${name}`);
    return operand as number[];
  }
  const mask =
    operand instanceof Long ? BigInt(operand.toString()) : typeof operand === "number" ? operand : NaN;
  if (typeof mask === "number" && (!Number.isInteger(mask) || mask < 0))
    throw new CommandError(
      9,
      "FailedToParse",
      `${name} takes an Array, a number, or a BinData but received: ${String(operand)}`,
    );
  const out: number[] = [];
  for (let big = BigInt(mask), p = 0; big > 0n; big >>= 1n, p++) if (big & 1n) out.push(p);
  return out;
}

function setBits(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++)
    for (let b = 0; b < 8; b++) if (((bytes[i] as number) >> b) & 1) out.push(i * 8 + b);
  return out;
}

/** A bit reader for a value, or undefined when the value is neither an integer nor BinData. */
function bitsOf(value: unknown): ((p: number) => boolean) | undefined {
  if (value instanceof Binary) {
    const bytes = value.value();
    return (p) => p >> 3 < bytes.length && (((bytes[p >> 3] as number) >> (p & 7)) & 1) === 1;
  }
  let n: bigint;
  if (value instanceof Long) n = BigInt(value.toString());
  else if (typeof value === "number" && Number.isInteger(value)) n = BigInt(value);
  else if (typeof value === "bigint") n = value;
  else return undefined;
  return (p) => ((n >> BigInt(Math.min(p, 63))) & 1n) === 1n;
}

function bitwise(name: string, wantSet: boolean, all: boolean) {
  return (selector: string, operand: unknown, _options: Options) => {
    const positions = bitPositions(operand, name);
    const test = (value: unknown): boolean => {
      const bit = bitsOf(value);
      if (!bit) return false;
      const ok = (p: number) => bit(p) === wantSet;
      return all ? positions.every(ok) : positions.some(ok);
    };
    return (obj: Doc) => {
      const value = resolve(obj, selector, { unwrapArray: true });
      return Array.isArray(value) && !(value instanceof Binary) ? value.some(test) : test(value);
    };
  };
}

export const bitwiseOperators: Record<string, unknown> = {
  $bitsAllSet: bitwise("$bitsAllSet", true, true),
  $bitsAnySet: bitwise("$bitsAnySet", true, false),
  $bitsAllClear: bitwise("$bitsAllClear", false, true),
  $bitsAnyClear: bitwise("$bitsAnyClear", false, false),
};
