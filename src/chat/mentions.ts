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

/** Recognises one word as a mention on `platform`; `caller` gives context such as the Slack team. */
export function parseMention(platform: Platform, word: string, caller: UserIdentity): MentionRef | undefined {
  switch (platform) {
    case "slack": {
      // With should_escape the text carries `<@U123>` or `<@U123|name>`; ids are team-scoped.
      const m = /^<@([UW][A-Z0-9]{1,20})(?:\|([^>]*))?>$/.exec(word);
      if (!m) return undefined;
      const team = caller.id.includes(":") ? caller.id.slice(0, caller.id.indexOf(":")) : undefined;
      const id = team ? `${team}:${m[1]}` : m[1]!;
      return { raw: word, platform, id, ...(m[2] ? { username: m[2], displayName: m[2] } : {}) };
    }
    case "discord": {
      const m = /^<@!?(\d{5,25})>$/.exec(word);
      return m ? { raw: word, platform, id: m[1]! } : undefined;
    }
    case "telegram": {
      // A text_mention (a user without a username) has no text form: the adapter writes it as
      // `tg://user?id=<id>` in the text it hands over, which resolves like an id.
      const link = /^tg:\/\/user\?id=(\d{1,20})$/.exec(word);
      if (link) return { raw: word, platform, id: link[1]! };
      const m = /^@([A-Za-z0-9_]{5,32})$/.exec(word);
      return m ? { raw: word, platform, username: m[1]! } : undefined;
    }
    case "playground": {
      const m = /^@([A-Za-z0-9_.-]{1,32})$/.exec(word);
      if (!m) return undefined;
      const name = m[1]!.toLowerCase();
      return { raw: word, platform, id: name, username: name, displayName: name };
    }
  }
}
