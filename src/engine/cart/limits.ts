import { userError } from "../errors";
import { MAX_QTY } from "../orders";
import { parseSessionCode, SESSION_CODE_MAX_LENGTH, type SessionCodeParts } from "./session-code";

/** Caps that keep one cart sane: a person buying, not a script filling a warehouse. */
export const CART_LIMITS = {
  /** The order engine refuses more than this per order (src/engine/orders.ts MAX_QTY). */
  maxLineQty: MAX_QTY,
  maxCartQty: 500,
  maxLines: 30,
  maxSkuLength: 64,
} as const;

/** Improper-access delays grow with the count and never exceed this (issue 5). */
export const MAX_BAD_ATTEMPT_DELAY_MS = 10_000;

/** `base`, doubled for each further attempt on the same code, capped at 10 s. */
export function badAttemptDelayMs(baseMs: number, attempts: number): number {
  if (baseMs <= 0 || attempts <= 0) return 0;
  const exponent = Math.min(attempts - 1, 20);
  return Math.min(baseMs * 2 ** exponent, MAX_BAD_ATTEMPT_DELAY_MS);
}

const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A SKU as typed; the catalog decides whether it exists. Returns the catalog key (upper case). */
export function checkSku(input: unknown): string {
  if (typeof input !== "string" || input.trim() === "") {
    throw userError("MISSING_SKU");
  }
  const sku = input.trim();
  if (sku.length > CART_LIMITS.maxSkuLength) {
    throw userError("TEXT_TOO_LONG", { what: "SKU", max: CART_LIMITS.maxSkuLength, instead: "see /catalog" });
  }
  if (!SKU.test(sku)) {
    throw userError("UNKNOWN_SKU", { sku });
  }
  return sku.toUpperCase();
}

/** A presented session code, or a one-line error saying what one looks like. */
export function checkSessionCode(input: unknown): SessionCodeParts {
  if (typeof input !== "string" || input.trim() === "") {
    throw userError("MISSING_SESSION_CODE");
  }
  if (input.trim().length > SESSION_CODE_MAX_LENGTH) {
    throw userError("TEXT_TOO_LONG", {
      what: "session code",
      max: SESSION_CODE_MAX_LENGTH,
      instead: "copy it from the cart reply or its /s/ link",
    });
  }
  const parts = parseSessionCode(input);
  if (!parts) {
    throw userError("BAD_SESSION_CODE");
  }
  return parts;
}
