import type { GroupDoc, ProductDoc } from "../../../models";
import type { EngineContext } from "../context";
import type { OutboxWriter } from "../outbox";
import { isDuplicateKey } from "../unavailable";
import { personalUrl, reminderDm } from "./messages";

export const REMINDER_INTERVAL_MS = 12 * 3_600_000;

/**
 * Reminders on access (whenever someone looks at the group): every tagged member who has not joined gets one, at most
 * once per REMINDER_INTERVAL_MS each. The throttle is a conditional upsert on one document per
 * member, so two instances (or two simultaneous page loads) remind a member once.
 */
export function createReminders(ctx: EngineContext, outbox: OutboxWriter) {
  const { GroupReminder } = ctx.models;

  return async function remindNotJoined(group: GroupDoc, product: ProductDoc): Promise<string[]> {
    if (group.state !== "open") return [];
    const joined = new Set(group.members.map((m) => m.userKey));
    const reminded: string[] = [];
    for (const invite of group.invites) {
      if (joined.has(invite.userKey)) continue;
      const now = ctx.clock.now();
      const cutoff = new Date(now.getTime() - REMINDER_INTERVAL_MS);
      try {
        await ctx.tx(async (session) => {
          // Matches when never reminded (upsert) or reminded before the cutoff; a recent reminder
          // makes the upsert collide on _id, which is how "throttled" is detected.
          await GroupReminder.updateOne(
            { _id: `${group._id}|${invite.userKey}`, remindedAt: { $lte: cutoff } },
            { $set: { remindedAt: now } },
            { upsert: true, session },
          );
          const link = personalUrl(ctx.publicUrl, group._id, invite.token);
          await outbox.dm(session, {
            id: `reminder:${group._id}:${invite.userKey}:${now.getTime()}`,
            to: invite.userKey,
            ...reminderDm({ group, product, link }),
          });
        });
        reminded.push(invite.userKey);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    if (reminded.length > 0) ctx.kickOutbox();
    return reminded;
  };
}
