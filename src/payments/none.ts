import type { PaymentProvider } from "./port";

function noMoney(): never {
  throw new Error("PAYMENTS=none moves no money: the engine never asks it to");
}

/** PAYMENTS=none: the shop bills separately and discounts are paid back as points, as before payments. */
export const noPayments: PaymentProvider = {
  id: "none",
  takesMoney: false,
  openCheckout: noMoney,
  expireCheckout: noMoney,
  capture: noMoney,
  release: noMoney,
  refund: noMoney,
  lookup: noMoney,
};
