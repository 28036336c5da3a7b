import { webApi } from "@slack/bolt";

/**
 * Slack answers these when the app's own token no longer works (uninstalled, revoked, the workspace
 * or the bot deactivated): every call fails alike, and it is the operator's to fix, not the recipient's.
 */
export const TOKEN_DEAD = new Set([
  "account_inactive",
  "invalid_auth",
  "token_revoked",
  "token_expired",
  "not_authed",
]);
/** While the token is dead, messages are tried again this much later (each try tells the operator again). */
export const TOKEN_DEAD_RETRY_MS = 10 * 60_000;

export const TOKEN_DEAD_LOG =
  "slack: the app's bot token was refused; nothing can go out until SLACK_BOT_TOKEN is fixed (reinstall the app)";

/**
 * What a failed Web API call says, as the WebClient surfaces it: a 429 with the wait Slack named
 * (`rejectRateLimitedCalls`), Slack's own error code (`{ok: false, error}`), or neither (network).
 */
export type SlackFailure =
  | { kind: "ratelimited"; retryAfterMs: number }
  | { kind: "slack"; code: string }
  | { kind: "other"; reason: string };

export function readSlackError(error: unknown): SlackFailure {
  const coded = error as { code?: unknown; retryAfter?: unknown; data?: { error?: unknown } };
  if (coded.code === webApi.ErrorCode.RateLimitedError) {
    return { kind: "ratelimited", retryAfterMs: Math.max(1, Number(coded.retryAfter) || 1) * 1000 };
  }
  if (coded.code === webApi.ErrorCode.PlatformError && typeof coded.data?.error === "string") {
    return { kind: "slack", code: coded.data.error };
  }
  return { kind: "other", reason: error instanceof Error ? error.message : String(error) };
}
