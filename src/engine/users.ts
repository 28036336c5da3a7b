import type { UserDoc } from "../../models";
import type { EngineContext } from "./context";
import { UserError } from "./errors";
import { PLATFORMS, type Platform, type UserIdentity, userKey } from "./platform";
import { isDuplicateKey } from "./unavailable";

export interface RegisterInput {
  region?: string;
  email?: string;
}

/** Undelivered DMs younger than this are retried when their recipient turns up. */
const REOPEN_WINDOW_MS = 7 * 86_400_000;
const REGION = /^[A-Za-z]{2,8}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}\.[^\s@]{2,63}$/;

/** Splits a user key `platform:id` (the id may itself contain colons, as Slack's `T1:U1`). */
export function parseUserKey(key: string): { platform: Platform; id: string } {
  const at = key.indexOf(":");
  const platform = key.slice(0, at) as Platform;
  if (at <= 0 || !PLATFORMS.includes(platform) || at === key.length - 1) {
    throw new Error(`not a user key: ${key}`);
  }
  return { platform, id: key.slice(at + 1) };
}

export type Users = ReturnType<typeof createUsers>;

/** Users and their contact details (claims 13, 24): one per platform identity. */
export function createUsers(ctx: EngineContext) {
  const { User } = ctx.models;

  /** Upsert, retried once: two first messages from one new user can race to insert. */
  async function upsert(key: string, set: Partial<UserDoc>, onInsert: Partial<UserDoc>): Promise<UserDoc> {
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await User.findOneAndUpdate(
          { _id: key },
          { $set: set, $setOnInsert: onInsert },
          { upsert: true, returnDocument: "after" },
        ).lean<UserDoc>();
        if (!doc) throw new Error(`user upsert returned nothing for ${key}`);
        return doc;
      } catch (error) {
        if (attempt === 0 && isDuplicateKey(error)) continue;
        throw error;
      }
    }
  }

  /**
   * Someone whose DMs failed for good just wrote to the bot, which on Telegram is exactly what
   * opens DMs: clear the mark and give their recent undelivered DMs (invitations with personal
   * links) another go.
   */
  async function reopenDms(key: string, now: Date): Promise<void> {
    await User.updateOne({ _id: key }, { $set: { dmFailure: null } });
    const since = new Date(now.getTime() - REOPEN_WINDOW_MS);
    const reopened = await ctx.models.OutboxMessage.updateMany(
      { kind: "dm", "dm.userKey": key, status: "failed", createdAt: { $gte: since } },
      { $set: { status: "pending", attempts: 0, nextAttemptAt: now, lastError: null } },
    );
    if (reopened.modifiedCount > 0) ctx.kickOutbox();
  }

  function baseFields(identity: UserIdentity) {
    return { platform: identity.platform, platformId: identity.id };
  }

  return {
    /**
     * The user wrote to the bot: create them, or fill in the placeholder a mention created, and
     * refresh their name. Writing also means DMs may work again (Telegram: they started the bot).
     */
    touch(identity: UserIdentity): Promise<UserDoc> {
      return ctx.guard(async () => {
        const now = ctx.clock.now();
        const key = userKey(identity);
        const set: Partial<UserDoc> = {
          ...baseFields(identity),
          displayName: identity.displayName || identity.username || identity.id,
          placeholder: false,
          updatedAt: now,
        };
        if (identity.username) set.username = identity.username.toLowerCase();
        const user = await upsert(key, set, { createdAt: now, email: null, region: null, dmFailure: null });
        if (user.dmFailure) await reopenDms(key, now);
        return { ...user, dmFailure: null };
      });
    },

    /**
     * A user named in a mention, maybe before they ever wrote: a placeholder until they do. A
     * placeholder takes the newer name an adapter found (someone who wrote keeps their own).
     */
    ensure(identity: UserIdentity): Promise<UserDoc> {
      return ctx.guard(async () => {
        const key = userKey(identity);
        const existing = await User.findById(key).lean<UserDoc>();
        const now = ctx.clock.now();
        if (existing) {
          // Until they write, a mentioned person is known by the newest name a mention gave
          // (the first may have been a bare id); someone who wrote keeps the name they wrote with.
          const name = identity.displayName || identity.username;
          if (!existing.placeholder || !name || name === existing.displayName) return existing;
          await User.updateOne(
            { _id: key, placeholder: true },
            { $set: { displayName: name, updatedAt: now } },
          );
          return { ...existing, displayName: name };
        }
        return upsert(
          key,
          { updatedAt: now },
          {
            ...baseFields(identity),
            displayName: identity.displayName || identity.username || identity.id,
            username: identity.username?.toLowerCase() ?? null,
            placeholder: true,
            email: null,
            region: null,
            createdAt: now,
          },
        );
      });
    },

    /** Stores contact details and shipping region (`/register`). */
    register(key: string, input: RegisterInput): Promise<UserDoc> {
      return ctx.guard(async () => {
        const set: Partial<UserDoc> = { updatedAt: ctx.clock.now() };
        if (input.region !== undefined) {
          if (!REGION.test(input.region)) {
            throw new UserError(
              "INVALID_REGION",
              `"${input.region}" is not a region code; type /register region=EU (2 to 8 letters)`,
            );
          }
          set.region = input.region.toUpperCase();
        }
        if (input.email !== undefined) {
          if (!EMAIL.test(input.email)) {
            throw new UserError(
              "INVALID_EMAIL",
              `"${input.email}" is not an email address; type /register email=you@example.com`,
            );
          }
          set.email = input.email;
        }
        const { platform, id } = parseUserKey(key);
        return upsert(key, set, {
          platform,
          platformId: id,
          displayName: id,
          placeholder: false,
          createdAt: ctx.clock.now(),
          ...(input.region === undefined ? { region: null } : {}),
          ...(input.email === undefined ? { email: null } : {}),
        });
      });
    },

    get(key: string): Promise<UserDoc | null> {
      return ctx.guard(() => User.findById(key).lean<UserDoc>());
    },

    getMany(keys: string[]): Promise<Map<string, UserDoc>> {
      return ctx.guard(async () => {
        const docs = await User.find({ _id: { $in: keys } }).lean<UserDoc[]>();
        return new Map(docs.map((doc) => [doc._id, doc]));
      });
    },

    /** `@name` → the user who wrote with that handle on that platform (most recently seen wins). */
    resolveByUsername(platform: Platform, username: string): Promise<UserDoc | null> {
      return ctx.guard(() =>
        User.findOne({ platform, username: username.replace(/^@/, "").toLowerCase() })
          .sort({ updatedAt: -1 })
          .lean<UserDoc>(),
      );
    },
  };
}
