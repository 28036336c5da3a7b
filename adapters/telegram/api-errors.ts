import type { DeliveryFailure } from "../../src/engine/messenger";

/** What telegraf's TelegramError carries from the Bot API's answer (none for a network failure). */
export function readTelegramError(error: unknown): {
  code: number | undefined;
  description: string;
  retryAfterSeconds: number | undefined;
} {
  const response = (error as { response?: unknown })?.response as
    | { error_code?: number; description?: string; parameters?: { retry_after?: number } }
    | undefined;
  return {
    code: response?.error_code,
    description: response?.description ?? (error instanceof Error ? error.message : "unknown error"),
    retryAfterSeconds: response?.parameters?.retry_after,
  };
}

/** What a failed Bot API call means for delivery: wait (429), give up for good (403, no chat), or retry. */
export function classifyTelegramError(error: unknown): DeliveryFailure {
  const { code, description, retryAfterSeconds } = readTelegramError(error);
  if (code === 429) {
    return { ok: false, retryable: true, reason: description, retryAfterMs: (retryAfterSeconds ?? 1) * 1000 };
  }
  // 403: the user never started the bot or blocked it; 400 "chat not found": no such private chat.
  if (code === 403 || (code === 400 && /chat not found|user not found/i.test(description))) {
    return { ok: false, retryable: false, reason: `telegram ${code}: ${description}` };
  }
  return { ok: false, retryable: true, reason: `telegram ${code ?? "network"}: ${description}` };
}
