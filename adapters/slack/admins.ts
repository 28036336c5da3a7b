import type { webApi } from "@slack/bolt";
import { cachedAdminCheck } from "../../src/chat/admin-cache";
import type { HandleOptions } from "../../src/chat/router";
import type { UserIdentity } from "../../src/kernel";

/**
 * Slack's admins of crowdcart's groups are the workspace's admins and owners, as `users.info`
 * (scope users:read) says: `is_admin` or `is_owner`. An error (rate limit, unknown user) is thrown
 * on, so the command says it could not check rather than deciding either way.
 */
export function slackAdmins(client: webApi.WebClient) {
  const cached = cachedAdminCheck();
  const isAdmin = (userId: string) =>
    cached(userId, async () => {
      const { user } = await client.users.info({ user: userId });
      return Boolean(user?.is_admin || user?.is_owner);
    });
  /** The caller's workspace (the scope part of `T1:U1`) and the question about them. */
  return (caller: UserIdentity): HandleOptions["admin"] => {
    const split = caller.id.lastIndexOf(":");
    if (split <= 0) return undefined;
    const userId = caller.id.slice(split + 1);
    return { space: caller.id.slice(0, split), isAdmin: () => isAdmin(userId) };
  };
}
