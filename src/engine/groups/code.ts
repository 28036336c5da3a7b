import { randomBytes, timingSafeEqual } from "node:crypto";

/** Crockford base32: no I, L, O or U, so a code read aloud or retyped survives. */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const GROUP_CODE_LENGTH = 13; // 13 × 5 = 65 bits

/** A new group code: 65 bits from the CSPRNG, unbiased (32 divides 256). */
export function newGroupCode(): string {
  const bytes = randomBytes(GROUP_CODE_LENGTH);
  let code = "";
  for (const byte of bytes) code += ALPHABET[byte % 32];
  return code;
}

/**
 * A typed code back to its canonical form: case, spaces and dashes ignored, and the look-alikes
 * people type by mistake mapped as Crockford does (O→0, I/L→1). Undefined when it cannot be a code.
 */
export function normalizeGroupCode(input: string): string | undefined {
  const code = input.trim().toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (code.length !== GROUP_CODE_LENGTH) return undefined;
  for (const c of code) if (!ALPHABET.includes(c)) return undefined;
  return code;
}

/** A member's personal token: 128 bits, URL-safe. */
export function newMemberToken(): string {
  return randomBytes(16).toString("base64url");
}

export function tokensEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A code shortened for people: "7KQ3…" is enough to recognise a group in a message. */
export function shortCode(code: string): string {
  return `${code.slice(0, 4)}…`;
}
