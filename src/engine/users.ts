import type { UserDoc } from "../../models";
import { type Platform, type UserIdentity, userKey } from "../kernel";
import type { EngineContext } from "./context";
import { userError } from "./errors";
import { isDuplicateKey, upsertRacing } from "./unavailable";

export interface RegisterInput {
  region?: string;
  email?: string;
}

/**
 * How long a user read or written here may be served from memory to commands that only need a
 * name, a region or a DM flag (an order's region, a group's invitation list). Changes made by this
 * process replace the copy at once; another instance's show here within this time.
 */
const USER_CACHE_MS = 60_000;
const USER_CACHE_SIZE = 10_000;
/** Undelivered DMs younger than this are retried when their recipient turns up. */
const REOPEN_WINDOW_MS = 7 * 86_400_000;
const REGION = /^[A-Za-z]{2,8}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}\.[^\s@]{2,63}$/;

/** A platform's id as adapters name themselves: lower-case letters. */
const PLATFORM_ID = /^[a-z]{1,32}$/;

/** Splits a user key `platform:id` (the id may itself contain colons, as Slack's `T1:U1`). */
export function parseUserKey(key: string): { platform: Platform; id: string } {
  const at = key.indexOf(":");
  const platform = key.slice(0, at);
  if (at <= 0 || !PLATFORM_ID.test(platform) || at === key.length - 1) {
    throw new Error(`not a user key: ${key}`);
  }
  return { platform, id: key.slice(at + 1) };
}

export type Users = ReturnType<typeof createUsers>;

/** Users and their contact details (email, shipping region), which only the organiser of their group sees: one per platform identity. */
export function createUsers(ctx: EngineContext) {
  const { User } = ctx.models;
  const remembered = new Map<string, { doc: UserDoc; until: number }>();
  const remember = (doc: UserDoc): UserDoc => {
    remembered.delete(doc._id);
    remembered.set(doc._id, { doc, until: ctx.clock.now().getTime() + USER_CACHE_MS });
    if (remembered.size > USER_CACHE_SIZE) remembered.delete(remembered.keys().next().value as string);
    return doc;
  };
  const recall = (key: string): UserDoc | undefined => {
    const hit = remembered.get(key);
    return hit && hit.until > ctx.clock.now().getTime() ? hit.doc : undefined;
  };

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
        return remember(doc);
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

  /**
   * Until they write, a mentioned person is known by the newest name a mention gave (the first may
   * have been a bare id); someone who wrote keeps the name they wrote with. The fields to store, if any.
   */
  function renaming(existing: UserDoc, identity: UserIdentity, now: Date): Partial<UserDoc> | undefined {
    const name = identity.displayName || identity.username;
    if (!existing.placeholder || !name || name === existing.displayName) return undefined;
    const set: Partial<UserDoc> = { displayName: name, updatedAt: now };
    if (identity.username) set.username = identity.username.toLowerCase();
    return set;
  }

  function baseFields(identity: UserIdentity) {
    return { platform: identity.platform, platformId: identity.id };
  }

  /** A person named before they ever wrote, as first recorded. */
  function placeholder(identity: UserIdentity, now: Date) {
    return {
      ...baseFields(identity),
      displayName: identity.displayName || identity.username || identity.id,
      username: identity.username?.toLowerCase() ?? null,
      placeholder: true,
      email: null,
      region: null,
      createdAt: now,
    };
  }

  /** What a write from this person stores: they are real now, with the name they wrote with. */
  function writerFields(identity: UserIdentity, now: Date) {
    const set: Partial<UserDoc> = {
      ...baseFields(identity),
      displayName: identity.displayName || identity.username || identity.id,
      placeholder: false,
      updatedAt: now,
    };
    if (identity.username) set.username = identity.username.toLowerCase();
    return { set, onInsert: { createdAt: now, email: null, region: null, dmFailure: null } };
  }

  /** People who wrote, waiting for the next write of them all; filled while one is in flight. */
  const writers = new Map<
    string,
    {
      identity: UserIdentity;
      waiters: { resolve: (doc: UserDoc) => void; reject: (error: unknown) => void }[];
    }
  >();
  let recordingWriters: Promise<void> | undefined;

  /**
   * Writes everyone who wrote since the last write, one batch at a time: a burst of people new to
   * crowdcart costs one bulk write and one read per batch instead of a write each.
   */
  async function recordWriters(): Promise<void> {
    // Whatever arrives in this turn of the event loop goes in the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (writers.size > 0) {
      const batch = [...writers.values()];
      writers.clear();
      try {
        const docs = await ctx.guard(() => writeMany(batch.map((entry) => entry.identity)));
        for (const entry of batch) {
          const doc = docs.get(userKey(entry.identity));
          for (const waiter of entry.waiters) {
            if (doc) waiter.resolve(doc);
            else waiter.reject(new Error(`user write returned nothing for ${userKey(entry.identity)}`));
          }
        }
      } catch (error) {
        for (const waiter of batch.flatMap((entry) => entry.waiters)) waiter.reject(error);
      }
    }
    recordingWriters = undefined;
  }

  /** One person: one upsert returning them; several: one bulk upsert and one read of them all. */
  async function writeMany(identities: UserIdentity[]): Promise<Map<string, UserDoc>> {
    const now = ctx.clock.now();
    let stored: UserDoc[];
    if (identities.length === 1) {
      const { set, onInsert } = writerFields(identities[0]!, now);
      stored = [await upsert(userKey(identities[0]!), set, onInsert)];
    } else {
      const keys = identities.map(userKey);
      const write = () =>
        User.bulkWrite(
          identities.map((identity, i) => {
            const { set, onInsert } = writerFields(identity, now);
            return {
              updateOne: {
                filter: { _id: keys[i]! },
                update: { $set: set, $setOnInsert: onInsert },
                upsert: true,
              },
            };
          }),
          { ordered: false },
        );
      // Two first messages from one new person can race to insert.
      await upsertRacing(write);
      stored = await User.find({ _id: { $in: keys } }).lean<UserDoc[]>();
    }
    const docs = new Map<string, UserDoc>();
    for (const user of stored) {
      if (user.dmFailure) await reopenDms(user._id, now);
      docs.set(user._id, remember({ ...user, dmFailure: null }));
    }
    return docs;
  }

  return {
    /**
     * The user wrote to the bot: create them, or fill in the placeholder a mention created, and
     * refresh their name. Writing also means DMs may work again (Telegram: they started the bot).
     * Recorded in batches: everyone who writes while one batch is being stored goes in the next.
     */
    touch(identity: UserIdentity): Promise<UserDoc> {
      return new Promise((resolve, reject) => {
        const key = userKey(identity);
        const entry = writers.get(key) ?? { identity, waiters: [] };
        // The newest name wins; everyone waiting gets the one stored document.
        entry.identity = identity;
        entry.waiters.push({ resolve, reject });
        writers.set(key, entry);
        recordingWriters ??= recordWriters();
      });
    },

    /** Resolves once everyone who wrote so far is stored (or their write failed), e.g. before shutdown. */
    async written(): Promise<void> {
      while (recordingWriters) await recordingWriters;
    },

    /** A user named in a mention, maybe before they ever wrote: a placeholder until they do. */
    ensure(identity: UserIdentity): Promise<UserDoc> {
      return ctx.guard(async () => {
        const key = userKey(identity);
        const now = ctx.clock.now();
        const known = recall(key);
        if (known && !renaming(known, identity, now)) return known;
        const existing = known ?? (await User.findById(key).lean<UserDoc>());
        if (existing) {
          const set = renaming(existing, identity, now);
          if (!set) return remember(existing);
          await User.updateOne({ _id: key, placeholder: true }, { $set: set });
          return remember({ ...existing, ...set });
        }
        return upsert(key, { updatedAt: now }, placeholder(identity, now));
      });
    },

    /**
     * `ensure` for everyone named in one command, in at most two round trips whatever their
     * number (none when this process saw them all lately): one read, one write for the new ones
     * and the renamed.
     */
    ensureMany(identities: UserIdentity[]): Promise<void> {
      return ctx.guard(async () => {
        const byKey = new Map(identities.map((identity) => [userKey(identity), identity]));
        const missing = [...byKey.keys()].filter((key) => !recall(key));
        const known = [...byKey.keys()].flatMap((key) => recall(key) ?? []);
        if (missing.length > 0) {
          for (const doc of await User.find({ _id: { $in: missing } }).lean<UserDoc[]>()) known.push(doc);
        }
        const now = ctx.clock.now();
        const renames = known.flatMap((doc) => {
          const set = renaming(doc, byKey.get(doc._id)!, now);
          byKey.delete(doc._id);
          remember({ ...doc, ...set });
          return set ? [{ _id: doc._id, set }] : [];
        });
        const placeholders = missing.flatMap((key) => {
          const identity = byKey.get(key);
          if (!identity) return [];
          const doc: UserDoc = { _id: key, ...placeholder(identity, now), updatedAt: now };
          return [doc];
        });
        if (placeholders.length === 0 && renames.length === 0) return;
        const write = () =>
          User.bulkWrite(
            [
              ...placeholders.map(({ _id, updatedAt, ...onInsert }) => ({
                updateOne: {
                  filter: { _id },
                  update: { $set: { updatedAt }, $setOnInsert: onInsert },
                  upsert: true,
                },
              })),
              ...renames.map(({ _id, set }) => ({
                updateOne: { filter: { _id, placeholder: true }, update: { $set: set } },
              })),
            ],
            { ordered: false },
          );
        // Two commands naming the same new person can race to insert.
        await upsertRacing(write);
        for (const doc of placeholders) remember(doc);
      });
    },

    /** Stores contact details and shipping region (`/register`). */
    register(key: string, input: RegisterInput): Promise<UserDoc> {
      return ctx.guard(async () => {
        const set: Partial<UserDoc> = { updatedAt: ctx.clock.now() };
        if (input.region !== undefined) {
          if (!REGION.test(input.region)) {
            throw userError("INVALID_REGION", { region: input.region });
          }
          set.region = input.region.toUpperCase();
        }
        if (input.email !== undefined) {
          if (!EMAIL.test(input.email)) {
            throw userError("INVALID_EMAIL", { email: input.email });
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

    /** Drops this process's copy of a user someone else just wrote. */
    forget(key: string): void {
      remembered.delete(key);
    },

    get(key: string): Promise<UserDoc | null> {
      return ctx.guard(() => User.findById(key).lean<UserDoc>());
    },

    /** Like `getMany`, but from memory where this process saw the user lately (USER_CACHE_MS). */
    recentMany(keys: string[]): Promise<Map<string, UserDoc>> {
      return ctx.guard(async () => {
        const found = new Map<string, UserDoc>();
        const missing: string[] = [];
        for (const key of keys) {
          const known = recall(key);
          if (known) found.set(key, known);
          else missing.push(key);
        }
        if (missing.length) {
          const docs = await User.find({ _id: { $in: missing } }).lean<UserDoc[]>();
          for (const doc of docs) found.set(doc._id, remember(doc));
        }
        return found;
      });
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
