import type { Platform, UserIdentity } from "../kernel";

/**
 * A mention as typed, before anyone looked it up: a platform user id when the platform writes ids
 * into the text (Slack, Discord, the playground), else a username to look up (Telegram).
 */
export interface MentionRef {
  raw: string;
  platform: Platform;
  id?: string;
  username?: string;
  displayName?: string;
}

/** Turns a mention into a person; the adapter may supply one (e.g. Telegram text_mention entities). */
export type MentionResolver = (ref: MentionRef) => Promise<UserIdentity | undefined>;

/** Recognises one word as a mention on one platform; `caller` gives context such as the Slack team. */
export type MentionSyntax = (word: string, caller: UserIdentity) => MentionRef | undefined;
