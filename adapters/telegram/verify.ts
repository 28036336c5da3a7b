import { createHash, timingSafeEqual } from "node:crypto";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/**
 * True when the header carries the webhook secret given to setWebhook. Both sides are hashed first
 * so the comparison is constant-time and does not reveal the secret's length either.
 */
export function verifyTelegramSecret(expected: string, presented: string | undefined): boolean {
  if (presented === undefined || presented === "") return false;
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(presented).digest();
  return timingSafeEqual(a, b);
}
