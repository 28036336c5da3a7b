import type { Collection, Document } from "mongodb";
import type { Connection, Model } from "mongoose";
import { bindGroupModel, bindReminderModel } from "./group";
import { bindLedgerModel } from "./ledger";
import { bindOrderModel } from "./order";
import { bindOutboxModel } from "./outbox";
import { bindPaymentEventModel } from "./payment-event";
import { bindProductModel } from "./product";
import { bindSendSlotModel } from "./send-slot";
import { bindUserModel } from "./user";

export type {
  GroupCard,
  GroupDoc,
  GroupExportToken,
  GroupInvite,
  GroupMember,
  GroupState,
  LostCard,
  ReminderDoc,
  WaitlistEntry,
} from "./group";
export type { LedgerEntryDoc } from "./ledger";
export type { OrderDoc, OrderPayment, OrderStatus, PaymentState } from "./order";
export type { OutboxCard, OutboxDm, OutboxDoc, OutboxPayment, OutboxShipping, OutboxStatus } from "./outbox";
export type { PaymentEventDoc } from "./payment-event";
export type { ProductDoc, Tier } from "./product";
export type { SendSlotDoc } from "./send-slot";
export type { UserDoc } from "./user";

/**
 * The engine's models, bound to one connection (never the global mongoose), so two engines on
 * two connections can live in one process. Binding twice to one connection returns the same models.
 */
export function bindModels(connection: Connection) {
  return {
    User: bindUserModel(connection),
    Product: bindProductModel(connection),
    Order: bindOrderModel(connection),
    Group: bindGroupModel(connection),
    GroupReminder: bindReminderModel(connection),
    LedgerEntry: bindLedgerModel(connection),
    OutboxMessage: bindOutboxModel(connection),
    SendSlot: bindSendSlotModel(connection),
    PaymentEvent: bindPaymentEventModel(connection),
  };
}

export type Models = ReturnType<typeof bindModels>;

/**
 * A model's collection through the driver itself, for the writes every command makes: mongoose
 * builds, casts and validates a document per call, which costs more than the round trip. Callers
 * write documents already shaped by the model's type.
 */
export function driverCollection<T extends Document>(model: Model<T>): Collection<T> {
  return model.collection as unknown as Collection<T>;
}
