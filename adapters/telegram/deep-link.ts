/** Telegram allows at most 64 characters of A-Z, a-z, 0-9, _ and - after `?start=`. */
const PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;
const GROUP_PREFIX = "g-";

/**
 * The link that lets someone who never wrote to the bot open a chat with it: pressing Start sends
 * `/start g-<groupCode>`, which records them (so DMs reach them from then on) and shows the group.
 */
export function groupDeepLink(botUsername: string, groupCode: string): string | undefined {
  const payload = `${GROUP_PREFIX}${groupCode}`;
  if (!PAYLOAD.test(payload)) return undefined;
  return `https://t.me/${encodeURIComponent(botUsername)}?start=${payload}`;
}

/** The group code a `/start` payload names, or undefined for a plain `/start`. */
export function groupCodeOfPayload(payload: string | undefined): string | undefined {
  if (!payload || !PAYLOAD.test(payload) || !payload.startsWith(GROUP_PREFIX)) return undefined;
  return payload.slice(GROUP_PREFIX.length) || undefined;
}
