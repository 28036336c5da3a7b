import type { OrderPayment, OutboxPayment } from "../../../models";

/** The provider call that gives a cancelled order's money back, or null when none was taken or held. */
export function paymentUndo(payment: OrderPayment): Pick<OutboxPayment, "action" | "amount"> | null {
  switch (payment.state) {
    case "awaiting":
      return { action: "expire", amount: 0 };
    case "authorized":
      return { action: "release", amount: 0 };
    case "captured":
    case "paid":
      return { action: "refund", amount: payment.charged };
    default:
      return null;
  }
}
