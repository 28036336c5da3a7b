import type { DeliveryResult, Messenger } from "../../../src/engine/messenger";
import type { DirectMessage, Platform } from "../../../src/kernel";

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

  to(userId: string): DirectMessage[] {
    return this.sent.filter((m) => m.userId === userId);
  }

  clear(): void {
    this.sent.length = 0;
    this.attempts.length = 0;
  }
}
