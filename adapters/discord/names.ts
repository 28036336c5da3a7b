import { type REST, Routes } from "discord.js";
import type { MentionRef } from "../../src/chat/mentions";
import type { UserIdentity } from "../../src/kernel";
import type { Logger } from "../../src/logger";

/** A name is asked again after this long, so a renamed member shows under their new name. */
const FRESH_MS = 60 * 60_000;
/** A user Discord could not tell us about is not asked again for this long. */
const UNKNOWN_MS = 5 * 60_000;
/** Names remembered at once; the oldest is forgotten first. */
const CACHED = 10_000;

interface RawUser {
  id: string;
  username?: string;
  global_name?: string | null;
}

interface Cached {
  identity?: UserIdentity;
  until: number;
}

/**
 * Names for the people a command mentions: a mention carries only an id. The interaction's
 * `data.resolved.users` names them when Discord included it, else `GET /users/{id}` does; both are
 * remembered for an hour. Without a name (unknown user, Discord unreachable) the router falls back
 * to the id.
 */
export function createDiscordNames(rest: REST, log: Logger, now: () => number = Date.now) {
  const cache = new Map<string, Cached>();

  function remember(id: string, entry: Cached): void {
    cache.delete(id);
    if (cache.size >= CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(id, entry);
  }

  async function lookUp(id: string): Promise<UserIdentity | undefined> {
    const cached = cache.get(id);
    if (cached && cached.until > now()) return cached.identity;
    try {
      const identity = identityOf((await rest.get(Routes.user(id))) as RawUser);
      remember(id, { identity, until: now() + FRESH_MS });
      return identity;
    } catch (error) {
      log.warn({ err: error, user: id }, "discord user name not available");
      // A stale name is better than an id.
      remember(id, { ...(cached?.identity ? { identity: cached.identity } : {}), until: now() + UNKNOWN_MS });
      return cached?.identity;
    }
  }

  return {
    /** The mentioned person with their name, for the router's `resolveMention`. */
    async resolve(ref: MentionRef, resolved: { users?: Record<string, RawUser> } | undefined) {
      if (ref.platform !== "discord" || !ref.id) return undefined;
      const given = resolved?.users?.[ref.id];
      if (given) {
        const identity = identityOf(given);
        remember(ref.id, { identity, until: now() + FRESH_MS });
        return identity;
      }
      return lookUp(ref.id);
    },
  };
}

/** Discord's display name (global_name), else the username. */
export function identityOf(user: RawUser): UserIdentity {
  const name = user.global_name || user.username;
  return {
    platform: "discord",
    id: user.id,
    ...(name ? { displayName: name } : {}),
    ...(user.username ? { username: user.username } : {}),
  };
}

export type DiscordNames = ReturnType<typeof createDiscordNames>;
