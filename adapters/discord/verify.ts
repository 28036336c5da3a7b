import { createPublicKey, type KeyObject, verify } from "node:crypto";

/** The fixed SPKI DER header of an Ed25519 public key; the 32 raw key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** Discord rejects interactions older than a few seconds; we allow clock skew up to 5 minutes. */
const MAX_AGE_SECONDS = 300;

/** Loads DISCORD_PUBLIC_KEY (64 hex characters) once, so each request only verifies. */
export function loadDiscordPublicKey(hex: string): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error("DISCORD_PUBLIC_KEY must be 64 hex characters");
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, "hex")]),
    format: "der",
    type: "spki",
  });
}

/**
 * Ed25519 over `timestamp + raw body`, as Discord signs every HTTP interaction. Anything malformed
 * (missing header, non-hex signature, stale timestamp) is simply not valid.
 */
export function verifyDiscordSignature(
  key: KeyObject,
  signatureHex: string | undefined,
  timestamp: string | undefined,
  rawBody: Buffer,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  if (
    !signatureHex ||
    !timestamp ||
    !/^[0-9a-fA-F]{128}$/.test(signatureHex) ||
    !/^\d{1,12}$/.test(timestamp)
  ) {
    return false;
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_AGE_SECONDS) return false;
  try {
    return verify(
      null,
      Buffer.concat([Buffer.from(timestamp), rawBody]),
      key,
      Buffer.from(signatureHex, "hex"),
    );
  } catch {
    return false;
  }
}
