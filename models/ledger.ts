import { type Connection, type Model, Schema } from "mongoose";

/**
 * The points ledger: append-only. A balance is the sum of a user's entries, never a stored
 * number edited in place. `_id` is deterministic (`<reason>:<ref>:<userKey>`), so crediting the
 * same event twice is a duplicate key, not double money.
 */
export interface LedgerEntryDoc {
  _id: string;
  userKey: string;
  /** Points; one point is one minor unit of `currency`. Negative for a spend. */
  amount: number;
  currency: string;
  reason: "group-discount";
  groupCode: string | null;
  orderId: string | null;
  /** What the amount is made of, for the history the user reads. */
  detail: { tierPercentOff: number; tierAmount: number; region: string | null; regionRebate: number };
  createdAt: Date;
}

export const ledgerSchema = new Schema<LedgerEntryDoc>(
  {
    _id: { type: String, required: true },
    userKey: { type: String, required: true },
    amount: { type: Number, required: true },
    currency: { type: String, required: true },
    reason: { type: String, required: true },
    groupCode: { type: String, default: null },
    orderId: { type: String, default: null },
    detail: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: "points_ledger", versionKey: false },
);
ledgerSchema.index({ userKey: 1, createdAt: 1 });

export type LedgerModel = Model<LedgerEntryDoc>;

export function bindLedgerModel(connection: Connection): LedgerModel {
  return (
    (connection.models.LedgerEntry as LedgerModel | undefined) ??
    connection.model<LedgerEntryDoc>("LedgerEntry", ledgerSchema)
  );
}
