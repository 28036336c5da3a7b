import type { Button } from "./messages";

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
