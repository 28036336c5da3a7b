import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { EngineSecretModel } from "../../../models/engine-secret";

/**
 * Every cart reply shows the session code, so the engine must be able to show a token again, yet
 * a dump of the database must not yield usable codes. The token is therefore kept twice: as a
 * SHA-256 (the lookup and the constant-time check) and sealed with AES-256-GCM under a key that
 * lives outside the database when SESSION_CODE_SECRET is set. The session id is the associated
 * data, so a sealed token copied onto another session does not open. A group's export-link token is
 * sealed with the same key, its associated data naming the group and the purpose.
 */
export interface TokenSealer {
  seal(token: string, sessionId: string): string;
  /** `undefined` when the sealed value was not made with this key for this session. */
  open(sealed: string, sessionId: string): string | undefined;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function createTokenSealer(key: Buffer): TokenSealer {
  if (key.length !== 32) throw new RangeError("the token sealing key must be 32 bytes");
  return {
    seal(token, sessionId) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(sessionId, "utf8"));
      const body = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
    },
    open(sealed, sessionId) {
      try {
        const raw = Buffer.from(sealed, "base64url");
        if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(sessionId, "utf8"));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString("utf8");
      } catch {
        return undefined;
      }
    },
  };
}

/** A key from the operator's secret (any length ≥ 16): SHA-256 with a purpose label. */
export function keyFromSecret(secret: string): Buffer {
  return createHash("sha256").update("crowdcart/cart-token-seal/v1\0").update(secret, "utf8").digest();
}

const STORED_KEY_ID = "cart-token-seal";

/** The sealing key: from the operator's secret when there is one, else the one kept in the database. */
export async function sealingKey(
  model: EngineSecretModel,
  secret: string | undefined,
  now: Date,
): Promise<Buffer> {
  return secret ? keyFromSecret(secret) : storedSealKey(model, now);
}

/**
 * The key kept in the database when no secret is configured: created once by whichever process
 * gets there first, then read by all, so several processes on one database agree.
 */
export async function storedSealKey(model: EngineSecretModel, now: Date): Promise<Buffer> {
  const candidate = randomBytes(32).toString("base64");
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await model
        .findOneAndUpdate(
          { _id: STORED_KEY_ID },
          { $setOnInsert: { key: candidate, createdAt: now } },
          { upsert: true, returnDocument: "after" },
        )
        .lean();
      if (!doc) throw new Error("engine secret upsert returned nothing");
      return Buffer.from(doc.key, "base64");
    } catch (error) {
      if ((error as { code?: unknown })?.code === 11000 && attempt < 3) continue;
      throw error;
    }
  }
}
