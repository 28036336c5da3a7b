/** How long a platform's answer about someone's admin rights is trusted: rights rarely change, and a demotion counts within a minute. */
export const ADMIN_ANSWER_TTL_MS = 60_000;
const MAX_CACHED = 10_000;

/**
 * An admin question asked of a platform (`users.info`, `getChatMember`), with each answer kept
 * briefly: a burst of organiser actions costs one call, not one each. A failed question is not
 * kept, so the next command asks again.
 */
export function cachedAdminCheck(
  options: { ttlMs?: number; now?: () => number } = {},
): (key: string, ask: () => Promise<boolean>) => Promise<boolean> {
  const ttlMs = options.ttlMs ?? ADMIN_ANSWER_TTL_MS;
  const now = options.now ?? (() => Date.now());
  const answers = new Map<string, { admin: boolean; until: number }>();
  return async (key, ask) => {
    const known = answers.get(key);
    if (known && known.until > now()) return known.admin;
    const admin = await ask();
    if (answers.size >= MAX_CACHED) answers.clear();
    answers.set(key, { admin, until: now() + ttlMs });
    return admin;
  };
}
