import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";

/** An application key pair as the Discord developer portal would hold it, generated per test run. */
export interface DiscordSigner {
  /** The 64-hex public key, the form DISCORD_PUBLIC_KEY takes. */
  publicKeyHex: string;
  /** Headers Discord sends with an interaction: Ed25519 over timestamp + raw body. */
  headers(body: string | Buffer, timestamp?: string): Record<string, string>;
}

export function createDiscordSigner(): DiscordSigner {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    publicKeyHex: rawPublicKey(publicKey).toString("hex"),
    headers: (body, timestamp = String(Math.floor(Date.now() / 1000))) => ({
      "content-type": "application/json",
      "x-signature-ed25519": sign(
        null,
        Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]),
        privateKey,
      ).toString("hex"),
      "x-signature-timestamp": timestamp,
    }),
  };
}

/** The 32 raw key bytes are the tail of the SPKI DER encoding. */
function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: "der", type: "spki" });
  return der.subarray(der.length - 32);
}
