import type { Button } from "./messages";

/** What a command answers, before any platform renders it. */
export interface Reply {
  text: string;
  /** `private`: only the caller sees it where the platform allows (ephemeral); `channel`: everyone. */
  visibility: "channel" | "private";
  buttons?: Button[];
  /**
   * The group this reply opened or shows, so a platform can add its own way into it (Telegram's
   * deep link that lets someone start the bot) without reading the text.
   */
  group?: { code: string; url: string };
  /**
   * Mentions, as typed, of people this platform cannot message yet (a Telegram @name nobody has
   * resolved): the platform tells how they can be reached.
   */
  unreachable?: string[];
  /** Set on an error reply: the stable code of the UserError. */
  errorCode?: string;
  /**
   * Set when the router saw this `eventId` before and did not run the command again: the reply is
   * the first one's (an adapter that already delivered it may skip it).
   */
  replayed?: boolean;
}
