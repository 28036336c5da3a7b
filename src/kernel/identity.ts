/**
 * A platform's id (`slack`, `telegram`, …), as its adapter names itself in `adapters/index.ts`.
 * Nothing below the adapters lists or tells platforms apart: they only carry the id along.
 */
export type Platform = string;

/**
 * A person as one platform knows them. `id` is platform-native and unique on that platform
 * (`123` on Discord, `T1:U1` on Slack, `1001` on Telegram, `alice` in the playground); the user key
 * used across crowdcart is `${platform}:${id}`.
 */
export interface UserIdentity {
  platform: Platform;
  id: string;
  displayName?: string;
  /** Telegram @username, Slack handle: lets a later mention by name resolve to this user. */
  username?: string;
}

export function userKey(identity: Pick<UserIdentity, "platform" | "id">): string {
  return `${identity.platform}:${identity.id}`;
}
