import { type Connection, type Model, Schema } from "mongoose";

/**
 * A provider's event (or a start-up lookup) already handled, by its id: the provider delivers at
 * least once, so a second delivery finds this and changes nothing.
 */
export interface PaymentEventDoc {
  _id: string;
  orderId: string;
  kind: string;
  /** What it did: `applied`, `ignored` (nothing left to change) or `refused` (amount or currency did not match). */
  outcome: "applied" | "ignored" | "refused";
  at: Date;
}

export const paymentEventSchema = new Schema<PaymentEventDoc>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    kind: { type: String, required: true },
    outcome: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: "payment_events", versionKey: false },
);

export type PaymentEventModel = Model<PaymentEventDoc>;

export function bindPaymentEventModel(connection: Connection): PaymentEventModel {
  return (
    (connection.models.PaymentEvent as PaymentEventModel | undefined) ??
    connection.model<PaymentEventDoc>("PaymentEvent", paymentEventSchema)
  );
}
