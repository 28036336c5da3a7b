import type { webApi } from "@slack/bolt";
import type { MentionRef, MentionResolver } from "../../src/chat/mentions";
import type { Logger } from "../../src/logger";

/** A name is looked up again after this long (people rename themselves). */
const NAME_TTL_MS = 60 * 60_000;
/** A failed lookup is not repeated for this long, so one unknown id costs one call, not one per command. */
const FAILED_TTL_MS = 5 * 60_000;
const MAX_CACHED = 10_000;

/**
 * Mentions arrive as ids (`<@U123>`, sometimes with a handle); people should read names. The name
 * comes from `users.info` (scope users:read), cached and refreshed; the id is shown only when
 * Slack gives no name.
 */
export function slackMentionNames(options: {
  client: webApi.WebClient;
  log: Logger;
  now?: () => number;
}): MentionResolver {
  const now = options.now ?? (() => Date.now());
  const cache = new Map<string, { name: string | undefined; until: number }>();

  async function lookup(userId: string): Promise<string | undefined> {
    const cached = cache.get(userId);
    if (cached && cached.until > now()) return cached.name;
    let name: string | undefined;
    try {
      const { user } = await options.client.users.info({ user: userId });
      name = [user?.profile?.display_name, user?.profile?.real_name, user?.real_name, user?.name].find(
        (candidate) => typeof candidate === "string" && candidate.trim() !== "",
      );
    } catch (error) {
      options.log.info(
        { user: userId, error: error instanceof Error ? error.message : String(error) },
        "slack: users.info gave no name",
      );
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(userId, { name, until: now() + (name ? NAME_TTL_MS : FAILED_TTL_MS) });
    return name;
  }

  return async (ref: MentionRef) => {
    if (ref.platform !== "slack" || ref.id === undefined) return undefined;
    const userId = ref.id.slice(ref.id.lastIndexOf(":") + 1);
    const name = (await lookup(userId)) ?? ref.displayName ?? userId;
    return {
      platform: "slack",
      id: ref.id,
      displayName: name,
      ...(ref.username ? { username: ref.username } : {}),
    };
  };
}
