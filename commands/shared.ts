import type { ArgSpec } from "../src/chat/command";
import { MAX_QTY } from "../src/engine/orders";

/** Argument specs several commands share, so `qty=` means the same everywhere. */
export const qtyArg: ArgSpec = {
  name: "qty",
  type: "integer",
  min: 1,
  max: MAX_QTY,
  placeholder: "n",
  description: "How many to buy",
};

export const skuArg = (description: string, required: boolean, name = "sku"): ArgSpec => ({
  name,
  type: "sku",
  positional: true,
  required,
  placeholder: "sku",
  description,
});

/** The group code both /join and /group take first. */
export const groupCodeArg: ArgSpec = {
  name: "code",
  type: "code",
  positional: true,
  required: true,
  placeholder: "groupCode",
  description: "The group's code",
};
