import type { Platform, UserIdentity } from "../engine/platform";

/**
 * The engine as commands and the router see it. Kept as a type so src/chat never constructs or
 * reaches into the engine; the composition root hands the real one in.
 */
export interface CommandEngine {
  users: {
    touch(identity: UserIdentity): Promise<unknown>;
    ensure(identity: UserIdentity): Promise<unknown>;
    resolveByUsername(
      platform: Platform,
      username: string,
    ): Promise<{ platformId: string; displayName: string; username?: string | null } | null>;
  };
}
