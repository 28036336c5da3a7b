import type { Platform, UserIdentity } from "../kernel";

/**
 * One command as every adapter hands it to the router. `args` is either the text after the
 * command (Slack, Telegram, playground) or the options a platform already parsed (Discord).
 */
export interface Invocation {
  platform: Platform;
  command: string;
  args:
    | { text: string }
    | { options: Record<string, string | number | boolean | undefined>; subcommand?: string };
  user: UserIdentity;
  channel: { id: string; kind: "direct" | "group" };
  /** The idempotency key: Slack retries, Telegram redeliveries and Discord interaction ids repeat it. */
  eventId: string;
  raw: unknown;
}
