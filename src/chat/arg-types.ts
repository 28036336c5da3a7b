import { formatDurationAsTyped, parseDuration } from "../format";
import type { ArgSpec } from "./command";

export type CheckResult = { ok: true; value: string | number } | { ok: false; reason?: string };

const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
const CODE = /^[A-Za-z0-9][A-Za-z0-9_-]{3,159}$/;
const EMAIL =
  /^[^\s@<>"(),;:]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;
const REGION = /^[A-Za-z]{2,8}$/;
const COMMAND = /^\/?[A-Za-z][A-Za-z0-9_-]{0,31}$/;

/** Checks one typed value (text, or a Discord option value) against its argument's kind and limits. */
export function checkValue(spec: ArgSpec, input: string | number | boolean): CheckResult {
  if (typeof input === "boolean") return { ok: false };
  if (spec.type === "integer") {
    const text = String(input).trim();
    if (!/^[+-]?\d{1,12}$/.test(text)) return { ok: false };
    const n = Number(text);
    return n >= spec.min && n <= spec.max ? { ok: true, value: n } : { ok: false };
  }
  const text = String(input).trim();
  switch (spec.type) {
    case "string":
      return text.length > 0 && text.length <= spec.maxLength ? { ok: true, value: text } : { ok: false };
    case "duration": {
      const ms = parseDuration(text);
      if (ms === undefined) return { ok: false };
      if (ms < spec.minMs || ms > spec.maxMs)
        return {
          ok: false,
          reason: `from ${formatDurationAsTyped(spec.minMs)} to ${formatDurationAsTyped(spec.maxMs)}`,
        };
      return { ok: true, value: ms };
    }
    case "sku":
      return SKU.test(text) ? { ok: true, value: text } : { ok: false };
    case "code":
      return CODE.test(text) ? { ok: true, value: text } : { ok: false };
    case "email":
      return text.length <= 254 && EMAIL.test(text) ? { ok: true, value: text.toLowerCase() } : { ok: false };
    case "region":
      return REGION.test(text) ? { ok: true, value: text.toUpperCase() } : { ok: false };
    case "command":
      return COMMAND.test(text) ? { ok: true, value: text.replace(/^\//, "").toLowerCase() } : { ok: false };
    case "choice": {
      const word = text.toLowerCase();
      return spec.choices.includes(word) ? { ok: true, value: word } : { ok: false };
    }
    case "mentions":
      // Mentions are collected by the parser, never checked as one value.
      return { ok: false };
  }
}
