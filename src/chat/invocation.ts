import type { Button } from "../engine/messenger";
import type { Platform, UserIdentity } from "../engine/platform";

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

/** What a command answers, before any platform renders it. */
export interface Reply {
  text: string;
  /** `private`: only the caller sees it where the platform allows (ephemeral); `channel`: everyone. */
  visibility: "channel" | "private";
  buttons?: Button[];
  /** Set on an error reply: the stable code of the UserError. */
  errorCode?: string;
  /**
   * Set when the router saw this `eventId` before and did not run the command again: the reply is
   * the first one's (an adapter that already delivered it may skip it).
   */
  replayed?: boolean;
}
