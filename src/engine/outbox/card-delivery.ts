import type { GroupDoc, OutboxCard } from "../../../models";
import type { EngineContext } from "../context";
import type { DeliveryResult, Messenger, TakeSlot } from "../messenger";

/**
 * Shows a group's status card in its channel: an edit of the message posted before, or a post
 * when there is none yet. The posted message's reference is kept on the group; a message that can
 * no longer be edited is recorded there as lost and the card posted anew.
 */
export async function showCard(
  ctx: EngineContext,
  messenger: Messenger,
  card: OutboxCard & { outboxId: string },
  takeSlot: TakeSlot,
): Promise<DeliveryResult> {
  const { Group } = ctx.models;
  const content = { text: card.text, ...(card.buttons.length > 0 ? { buttons: card.buttons } : {}) };
  const group = await Group.findById(card.groupCode, { card: 1 }).lean<GroupDoc>();
  const ref = group?.card?.ref;
  let lostSoFar = group?.card?.lost.length ?? 0;
  if (ref) {
    const edited = await messenger.edit(ref, content, takeSlot);
    if (edited.ok || !("gone" in edited) || !edited.gone) return edited;
    // Recorded before the new post, so a crash in between still posts it.
    const lost = { ref, reason: edited.reason, at: ctx.clock.now() };
    await Group.updateOne(
      { _id: card.groupCode, "card.ref": ref },
      { $set: { "card.ref": null }, $push: { "card.lost": lost } },
    );
    ctx.log.info({ groupCode: card.groupCode, reason: edited.reason }, "status card lost; posting it anew");
    lostSoFar++;
  }
  // Each new message its own id: a platform that drops repeated ids must not drop a re-post.
  const id = lostSoFar === 0 ? card.outboxId : `${card.outboxId}:${lostSoFar}`;
  const posted = await messenger.post(
    { id, platform: messenger.platform, channelId: card.channelId, ...content },
    takeSlot,
  );
  if (!posted.ok) return posted;
  await Group.updateOne({ _id: card.groupCode, "card.ref": null }, { $set: { "card.ref": posted.ref } });
  return { ok: true };
}
