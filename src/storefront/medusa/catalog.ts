import type { Admin } from "@medusajs/js-sdk";
import { issueText } from "../../engine/catalog/load";
import { type CatalogEntry, catalogEntrySchema } from "../../engine/catalog/schema";
import type { CatalogRead } from "../port";
import { listAll, type Page, withRetries } from "./client";
import { toMinorUnits } from "./money";
import type { ShopDefaults } from "./shop";

/** The product metadata keys holding a product's group tiers and region rebates (catalog file shape). */
export const TIERS_KEY = "crowdcart_tiers";
export const REBATES_KEY = "crowdcart_region_rebates";

interface MedusaPrice {
  amount: unknown;
  currency_code: string;
  rules?: Record<string, unknown> | null;
  min_quantity?: number | null;
  max_quantity?: number | null;
}

interface MedusaVariant {
  id: string;
  title?: string | null;
  sku?: string | null;
  prices?: MedusaPrice[] | null;
}

interface MedusaProduct {
  id: string;
  title: string;
  metadata?: Record<string, unknown> | null;
  variants?: MedusaVariant[] | null;
}

const PRODUCT_FIELDS = [
  "id",
  "title",
  "metadata",
  "variants.id",
  "variants.title",
  "variants.sku",
  "variants.prices.amount",
  "variants.prices.currency_code",
  "variants.prices.rules",
  "variants.prices.min_quantity",
  "variants.prices.max_quantity",
].join(",");

/**
 * Every published product's variants that carry a SKU, as catalog entries priced in the shop's
 * currency. A product whose crowdcart metadata or variant does not pass the catalog's own checks
 * is left out with one line naming it; the rest of the catalog still loads.
 */
export async function readMedusaCatalog(
  admin: Admin,
  shop: ShopDefaults,
  retryDelaysMs: readonly number[],
): Promise<CatalogRead> {
  const products = await listAll("products", (window) =>
    withRetries(
      "reading the products",
      () =>
        admin.product.list({ ...window, status: ["published"], fields: PRODUCT_FIELDS }) as Promise<
          Page<"products", MedusaProduct>
        >,
      retryDelaysMs,
    ),
  );
  const entries: CatalogEntry[] = [];
  const rejections: string[] = [];
  const seen = new Map<string, string>();
  for (const product of products) {
    const named = `Medusa product "${product.title}" (${product.id})`;
    const extras = groupTerms(product.metadata ?? {});
    if ("problem" in extras) {
      rejections.push(`${named}: ${extras.problem}; skipped`);
      continue;
    }
    const variants = product.variants ?? [];
    for (const variant of variants) {
      if (!variant.sku) continue;
      const where = `${named}, variant ${variant.sku}`;
      const price = priceOf(variant, shop);
      if ("problem" in price) {
        rejections.push(`${where}: ${price.problem}; skipped`);
        continue;
      }
      const checked = catalogEntrySchema.safeParse({
        sku: variant.sku,
        name: variants.length > 1 && variant.title ? `${product.title} (${variant.title})` : product.title,
        price: price.price,
        currency: shop.currency,
        ...extras,
      });
      const sku = checked.data?.sku.toUpperCase() ?? "";
      if (!checked.success) {
        rejections.push(`${where}: ${checked.error.issues.map(issueText).join("; ")}; skipped`);
      } else if (seen.has(sku)) {
        rejections.push(`${where}: sku: also on ${seen.get(sku)} (SKUs are case-insensitive); skipped`);
      } else {
        seen.set(sku, named);
        entries.push(checked.data);
      }
    }
  }
  return { entries, rejections };
}

/**
 * The tiers and rebates in a product's metadata. The Medusa admin edits metadata as text, so a
 * value is JSON text there; one set through the API may already be an array or object.
 */
function groupTerms(
  metadata: Record<string, unknown>,
): { tiers?: unknown; regionRebates?: unknown } | { problem: string } {
  const terms: { tiers?: unknown; regionRebates?: unknown } = {};
  for (const [key, field] of [
    [TIERS_KEY, "tiers"],
    [REBATES_KEY, "regionRebates"],
  ] as const) {
    const value = metadata[key];
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string") {
      terms[field] = value;
      continue;
    }
    try {
      terms[field] = JSON.parse(value);
    } catch {
      return {
        problem: `metadata ${key}: not valid JSON (e.g. ${key === TIERS_KEY ? '[{"members":3,"percentOff":10}]' : '{"EU":300}'})`,
      };
    }
  }
  return terms;
}

/**
 * The variant's price for the region orders go to, else its price for the region's currency
 * without conditions (Medusa's currency-wide price), in minor units.
 */
function priceOf(variant: MedusaVariant, shop: ShopDefaults): { price: number } | { problem: string } {
  const inCurrency = (variant.prices ?? []).filter(
    (p) =>
      p.currency_code.toUpperCase() === shop.currency && p.min_quantity == null && p.max_quantity == null,
  );
  const chosen =
    inCurrency.find((p) => p.rules?.region_id === shop.regionId) ??
    inCurrency.find((p) => Object.keys(p.rules ?? {}).length === 0);
  if (!chosen) return { problem: `no price in ${shop.currency} (the currency of the region orders go to)` };
  const price = toMinorUnits(chosen.amount, shop.currency);
  return price === undefined
    ? { problem: `price: ${String(chosen.amount)} is not an amount in ${shop.currency}` }
    : { price };
}
