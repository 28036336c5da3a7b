import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Session codes (README "Cart sessions"): `<serial>-<token>`, ordered by the serial, secret by the token.
 *
 * - serial: UTC issue time `YYYYMMDDhhmmss` + a zero-padded sequence (≥ 6 digits) from a counter
 *   shared by every process on the database, so serials order sessions system-wide. It is stored
 *   in the clear: it is the lookup key, and it is guessable by design.
 * - token: 18 bytes from the CSPRNG (144 bits, 24 base64url characters), independent of the serial.
 *   Only its SHA-256 is stored, so a database dump yields no usable code.
 *
 * The whole code stays within a Telegram deep-link payload: ≤ 64 characters of `[A-Za-z0-9_-]`.
 */

export const SESSION_CODE_PATTERN = /^(\d{20,})-([A-Za-z0-9_-]{22,})$/;
/** Telegram's `/start <payload>` limit; longer input is rejected before any regex runs. */
export const SESSION_CODE_MAX_LENGTH = 64;
const TOKEN_BYTES = 18;
const SEQUENCE_DIGITS = 6;

export interface SessionCodeParts {
  serial: string;
  token: string;
}

/** A freshly issued code: the parts to show once, and what the database keeps. */
export interface IssuedSessionCode extends SessionCodeParts {
  code: string;
  tokenHash: string;
}

export function formatSerial(issuedAt: Date, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 0)
    throw new RangeError("sequence must be a safe integer ≥ 0");
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const stamp =
    String(issuedAt.getUTCFullYear()).padStart(4, "0") +
    pad(issuedAt.getUTCMonth() + 1) +
    pad(issuedAt.getUTCDate()) +
    pad(issuedAt.getUTCHours()) +
    pad(issuedAt.getUTCMinutes()) +
    pad(issuedAt.getUTCSeconds());
  return stamp + pad(sequence, SEQUENCE_DIGITS);
}

/** The sequence part of a serial (everything after the 14-digit timestamp). */
export function sequenceOfSerial(serial: string): number {
  return Number(serial.slice(14));
}

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function issueSessionCode(issuedAt: Date, sequence: number): IssuedSessionCode {
  const serial = formatSerial(issuedAt, sequence);
  const token = newToken();
  const code = `${serial}-${token}`;
  if (code.length > SESSION_CODE_MAX_LENGTH) throw new RangeError("session code would exceed 64 characters");
  return { serial, token, code, tokenHash: hashToken(token) };
}

/** Splits a presented code; `undefined` for anything that is not a well-formed session code. */
export function parseSessionCode(input: string): SessionCodeParts | undefined {
  const text = input.trim();
  if (text.length > SESSION_CODE_MAX_LENGTH) return undefined;
  const match = SESSION_CODE_PATTERN.exec(text);
  if (!match) return undefined;
  return { serial: match[1]!, token: match[2]! };
}

/** Constant-time equality of two hex SHA-256 digests (equal length by construction). */
export function tokenHashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  // Unequal lengths only happen with a corrupt stored value; the length itself is no secret.
  if (left.length !== right.length || left.length === 0) return false;
  return timingSafeEqual(left, right);
}
