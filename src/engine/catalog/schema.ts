import { z } from "zod";

/** One catalog entry as the README's "Catalog" spells it. Strict: an unknown field is a mistake, not data. */
export const catalogEntrySchema = z.strictObject({
  sku: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, "sku: 1 to 40 letters, digits, '.', '_' or '-'"),
  name: z.string().trim().min(1, "name: must not be empty").max(200, "name: at most 200 characters"),
  price: z.number().int("price: whole minor units (12900 = 129.00)").min(0, "price: must not be negative"),
  currency: z.string().regex(/^[A-Z]{3}$/, "currency: a three-letter ISO code such as EUR"),
  tiers: z
    .array(
      z.strictObject({
        members: z.number().int().min(2, "tiers: members must be at least 2"),
        percentOff: z
          .number()
          .gt(0, "tiers: percentOff must be above 0")
          .lt(100, "tiers: percentOff must be below 100"),
      }),
    )
    .default([])
    .refine(
      (tiers) => tiers.every((tier, i) => i === 0 || tier.members > (tiers[i - 1]?.members ?? 0)),
      "tiers: members must strictly increase from one tier to the next",
    ),
  regionRebates: z
    .record(
      z.string().regex(/^[A-Z]{2,8}$/, "regionRebates: region codes are 2 to 8 upper-case letters"),
      z.number().int("regionRebates: whole minor units").min(0, "regionRebates: must not be negative"),
    )
    .default({}),
});

export type CatalogEntry = z.output<typeof catalogEntrySchema>;
