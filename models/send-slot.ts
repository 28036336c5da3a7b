import { type Connection, type Model, Schema } from "mongoose";

/**
 * One platform's send budget, or one recipient's on it, shared by every instance: the earliest
 * time (epoch ms) the next send may go. The outbox's pacer moves it on atomically.
 */
export interface SendSlotDoc {
  /** `telegram`, or `telegram:to:<user id>` for one recipient. */
  _id: string;
  next: number;
  /**
   * Platform budgets: each instance that reserved a slot lately (its id → when, epoch ms, and how
   * many sends it may have on their way at once).
   */
  senders?: Record<string, { at: number; room: number }>;
  /** Past this, nobody has reserved a slot for a while: the TTL index removes the document. */
  expiresAt: Date;
}

const sendSlotSchema = new Schema<SendSlotDoc>(
  {
    _id: { type: String, required: true },
    next: { type: Number, required: true },
    senders: { type: Schema.Types.Mixed },
    expiresAt: { type: Date, required: true },
  },
  { collection: "send_slots", versionKey: false },
);
sendSlotSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type SendSlotModel = Model<SendSlotDoc>;

export function bindSendSlotModel(connection: Connection): SendSlotModel {
  return (
    (connection.models.SendSlot as SendSlotModel | undefined) ??
    connection.model<SendSlotDoc>("SendSlot", sendSlotSchema)
  );
}
