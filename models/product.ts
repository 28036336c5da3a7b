import { type Connection, type Model, Schema } from "mongoose";

export interface Tier {
  members: number;
  percentOff: number;
}

/** A catalog product (README "Catalog"). Money in integer minor units of `currency`. */
export interface ProductDoc {
  /** Upper-cased SKU: lookups are case-insensitive. */
  _id: string;
  /** The SKU as the catalog spells it. */
  sku: string;
  name: string;
  price: number;
  currency: string;
  /** Ascending by `members`. */
  tiers: Tier[];
  regionRebates: Record<string, number>;
  updatedAt: Date;
  /**
   * When the storefront stopped listing it (null while on sale): kept for the orders and groups
   * that refer to it, refused to new groups, joins and cart lines.
   */
  withdrawnAt?: Date | null;
}

const tierSchema = new Schema<Tier>(
  { members: { type: Number, required: true }, percentOff: { type: Number, required: true } },
  { _id: false },
);

export const productSchema = new Schema<ProductDoc>(
  {
    _id: { type: String, required: true },
    sku: { type: String, required: true },
    name: { type: String, required: true },
    price: { type: Number, required: true },
    currency: { type: String, required: true },
    tiers: { type: [tierSchema], default: [] },
    // A plain object, not a Map: region codes are data, read back as they were written.
    regionRebates: { type: Schema.Types.Mixed, default: {} },
    updatedAt: { type: Date, required: true },
    withdrawnAt: { type: Date, default: null },
  },
  { collection: "products", versionKey: false, minimize: false },
);

export type ProductModel = Model<ProductDoc>;

export function bindProductModel(connection: Connection): ProductModel {
  return (
    (connection.models.Product as ProductModel | undefined) ??
    connection.model<ProductDoc>("Product", productSchema)
  );
}
