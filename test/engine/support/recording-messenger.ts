import type { DeliveryResult, EditResult, Messenger, PostResult } from "../../../src/engine/messenger";
import type { ChannelMessage, DirectMessage, MessageContent, Platform } from "../../../src/kernel";

/** A Messenger that records what it was asked to send and answers what the test scripts. */
export class RecordingMessenger implements Messenger {
  readonly sent: DirectMessage[] = [];
  readonly attempts: DirectMessage[] = [];
  pace = { perSecond: 10_000, perRecipientPerSecond: 10_000 };
  /** Answers per attempt; default: delivered. */
  answer: (message: DirectMessage) => DeliveryResult = () => ({ ok: true });

  constructor(readonly platform: Platform = "playground") {}

  async send(message: DirectMessage): Promise<DeliveryResult> {
    this.attempts.push(message);
    const result = this.answer(message);
    if (result.ok) this.sent.push(message);
    return result;
  }

  /** Channel posts, by their reference, as they stand after any edits. */
  readonly posts = new Map<string, ChannelMessage>();

  async post(message: ChannelMessage): Promise<PostResult> {
    this.posts.set(message.id, message);
    return { ok: true, ref: message.id };
  }

  /** Every edit that landed, in order. */
  readonly edits: { ref: string; text: string }[] = [];
  /** Runs while an edit is on its way (before it lands), e.g. to change the group meanwhile. */
  duringEdit: () => Promise<void> = async () => {};

  async edit(ref: string, content: MessageContent): Promise<EditResult> {
    await this.duringEdit();
    const post = this.posts.get(ref);
    if (!post) return { ok: false, retryable: false, gone: true, reason: "no such post" };
    this.posts.set(ref, { ...post, text: content.text, buttons: content.buttons ?? [] });
    this.edits.push({ ref, text: content.text });
    return { ok: true };
  }

  canReach(): boolean {
    return true;
  }

  to(userId: string): DirectMessage[] {
    return this.sent.filter((m) => m.userId === userId);
  }

  clear(): void {
    this.sent.length = 0;
    this.attempts.length = 0;
  }
}
