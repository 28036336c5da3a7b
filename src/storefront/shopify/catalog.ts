import { issueText } from "../../engine/catalog/load";
import { type CatalogEntry, catalogEntrySchema } from "../../engine/catalog/schema";
import type { CatalogRead } from "../port";
import type { ShopifyApi } from "./api";

/** Products a page and variants a product: 20 × (30 + 3) points keeps a page under Shopify's 1,000-point cap. */
const PRODUCTS_PER_PAGE = 20;
const VARIANTS_PER_PAGE = 30;
const MORE_VARIANTS_PER_PAGE = 250;

interface Variant {
  sku: string | null;
  title: string;
  /** Shopify's Money scalar: a decimal string in the shop's currency, e.g. "129.00". */
  price: string;
}
interface VariantPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Variant[];
}
interface Product {
  id: string;
  title: string;
  tiers: { value: string } | null;
  rebates: { value: string } | null;
  variants: VariantPage;
}
interface CatalogPage {
  shop: { currencyCode: string };
  products: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Product[] };
}

const CATALOG_PAGE = `query CrowdcartCatalogPage($first: Int!, $after: String, $query: String, $variants: Int!) {
  shop { currencyCode }
  products(first: $first, after: $after, query: $query, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      title
      tiers: metafield(namespace: "crowdcart", key: "tiers") { value }
      rebates: metafield(namespace: "crowdcart", key: "region_rebates") { value }
      variants(first: $variants) {
        pageInfo { hasNextPage endCursor }
        nodes { sku title price }
      }
    }
  }
}`;

const MORE_VARIANTS = `query CrowdcartProductVariants($id: ID!, $first: Int!, $after: String) {
  product(id: $id) {
    variants(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { sku title price }
    }
  }
}`;

/**
 * Every active product of the shop, one catalog entry per variant with a SKU, following the
 * cursors to the end. Its group tiers and region rebates come from the product's `crowdcart.tiers`
 * and `crowdcart.region_rebates` metafields, checked exactly as the catalog file is; a product
 * that fails is left out with one line naming it, and the rest are read.
 */
export async function readShopifyCatalog(api: ShopifyApi): Promise<CatalogRead> {
  const entries: CatalogEntry[] = [];
  const rejections: string[] = [];
  const seen = new Map<string, string>();
  let after: string | null = null;
  do {
    const page: CatalogPage = await api.query<CatalogPage>(CATALOG_PAGE, {
      first: PRODUCTS_PER_PAGE,
      after,
      query: "status:active",
      variants: VARIANTS_PER_PAGE,
    });
    for (const product of page.products.nodes) {
      const variants = await allVariants(api, product);
      const read = productEntries(product, variants, page.shop.currencyCode);
      const clash = read.entries.find((entry) => seen.has(entry.sku.toUpperCase()));
      const problem =
        read.problem ?? (clash && `SKU ${clash.sku} is also on ${seen.get(clash.sku.toUpperCase())}`);
      if (problem) {
        rejections.push(`shopify: product ${describe(product)} left out: ${problem}`);
        continue;
      }
      for (const entry of read.entries) seen.set(entry.sku.toUpperCase(), describe(product));
      entries.push(...read.entries);
    }
    after = page.products.pageInfo.hasNextPage ? page.products.pageInfo.endCursor : null;
  } while (after);
  return { entries, rejections };
}

async function allVariants(api: ShopifyApi, product: Product): Promise<Variant[]> {
  const variants = [...product.variants.nodes];
  let pageInfo = product.variants.pageInfo;
  while (pageInfo.hasNextPage && pageInfo.endCursor) {
    const more = await api.query<{ product: { variants: VariantPage } | null }>(MORE_VARIANTS, {
      id: product.id,
      first: MORE_VARIANTS_PER_PAGE,
      after: pageInfo.endCursor,
    });
    if (!more.product) break;
    variants.push(...more.product.variants.nodes);
    pageInfo = more.product.variants.pageInfo;
  }
  return variants;
}

function productEntries(
  product: Product,
  variants: Variant[],
  currency: string,
): { entries: CatalogEntry[]; problem?: string } {
  const tiers = metafieldJson(product.tiers, "crowdcart.tiers");
  const rebates = metafieldJson(product.rebates, "crowdcart.region_rebates");
  if ("problem" in tiers) return { entries: [], problem: tiers.problem };
  if ("problem" in rebates) return { entries: [], problem: rebates.problem };
  const entries: CatalogEntry[] = [];
  for (const variant of variants) {
    if (!variant.sku) continue;
    const price = minorUnits(variant.price, currency);
    if (price === undefined)
      return {
        entries: [],
        problem: `variant ${variant.sku}: price "${variant.price}" is not an amount in ${currency}`,
      };
    const result = catalogEntrySchema.safeParse({
      sku: variant.sku,
      // The variant's title tells variants apart; a product's only variant is titled "Default Title".
      name: variants.length > 1 ? `${product.title} - ${variant.title}` : product.title,
      price,
      currency,
      ...(tiers.value === undefined ? {} : { tiers: tiers.value }),
      ...(rebates.value === undefined ? {} : { regionRebates: rebates.value }),
    });
    if (!result.success) {
      const reasons = result.error.issues.map((issue) => metafieldName(issueText(issue)));
      return { entries: [], problem: `variant ${variant.sku}: ${reasons.join("; ")}` };
    }
    entries.push(result.data);
  }
  return { entries };
}

function metafieldJson(
  field: { value: string } | null,
  name: string,
): { value?: unknown } | { problem: string } {
  if (!field) return {};
  try {
    return { value: JSON.parse(field.value) };
  } catch {
    return { problem: `metafield ${name} is not valid JSON` };
  }
}

/** The schema names the file's fields; on Shopify they are the metafields. */
function metafieldName(reason: string): string {
  return reason
    .replace(/^tiers\b/, "crowdcart.tiers")
    .replace(/^regionRebates\b/, "crowdcart.region_rebates");
}

function describe(product: Product): string {
  return `"${product.title}" (${product.id})`;
}

/** "129.00" in EUR → 12900; "1500" in JPY → 1500. Undefined for anything that is not such an amount. */
export function minorUnits(amount: string, currency: string): number | undefined {
  const digits = fractionDigits(currency);
  const m = /^(\d{1,12})(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) return undefined;
  const fraction = (m[2] ?? "").replace(/0+$/, "");
  if (fraction.length > digits) return undefined;
  return Number(m[1]) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}

function fractionDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}
