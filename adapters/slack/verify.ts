import { createHmac, timingSafeEqual } from "node:crypto";

/** Slack refuses requests older than five minutes; so do we (replay protection). */
export const MAX_AGE_SECONDS = 5 * 60;

export type Verdict = { ok: true } | { ok: false; reason: "unsigned" | "stale" | "bad-signature" };

/**
 * Slack's v0 request signature: HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing
 * secret, compared in constant time. The raw bytes matter: a re-serialised body would not match.
 */
export function verifySlackSignature(input: {
  signingSecret: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs: number;
}): Verdict {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: "unsigned" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "unsigned" };
  if (Math.abs(input.nowMs / 1000 - Number(timestamp)) > MAX_AGE_SECONDS)
    return { ok: false, reason: "stale" };
  if (!/^v0=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: "bad-signature" };
  const expected = createHmac("sha256", input.signingSecret)
    .update(`v0:${timestamp}:`)
    .update(input.rawBody)
    .digest();
  const given = Buffer.from(signature.slice(3), "hex");
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: "bad-signature" };
}
