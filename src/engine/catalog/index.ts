import type { ProductDoc } from "../../../models";
import type { EngineContext, Session } from "../context";
import { userError } from "../errors";
import { loadCatalogFile } from "./load";
import type { CatalogEntry } from "./schema";

export { CatalogError, DEMO_CATALOG_FILE, describeRejection, loadCatalogFile, parseCatalog } from "./load";
export type { CatalogEntry } from "./schema";

export type Catalog = ReturnType<typeof createCatalog>;

/**
 * How long a product read outside a transaction may be served from memory. The catalog changes
 * only when a process starts with a new file, and this process's own load clears the copy at
 * once; so a `/join`'s order (priced from this copy), a cart line or /catalog can follow another
 * instance's new catalog by at most this long. A checkout prices inside its transaction.
 */
const PRODUCT_CACHE_MS = 30_000;

/** The products for sale (README "Catalog"): loaded from a file at start, read from the database after. */
export function createCatalog(ctx: EngineContext, catalogFile?: string) {
  const { Product } = ctx.models;
  const cached = new Map<string, { product: ProductDoc | null; until: number }>();
  let listed: { products: ProductDoc[]; until: number } | undefined;

  async function upsertEntries(entries: CatalogEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const now = ctx.clock.now();
    await Product.bulkWrite(
      entries.map((entry) => ({
        replaceOne: {
          filter: { _id: entry.sku.toUpperCase() },
          replacement: { _id: entry.sku.toUpperCase(), ...entry, updatedAt: now },
          upsert: true,
        },
      })),
    );
    cached.clear();
    listed = undefined;
    return entries.length;
  }

  async function find(sku: string, session?: Session): Promise<ProductDoc | null> {
    const id = sku.trim().toUpperCase();
    if (session) return Product.findById(id).session(session).lean<ProductDoc>();
    const now = ctx.clock.now().getTime();
    const hit = cached.get(id);
    if (hit && hit.until > now) return hit.product;
    const product = await Product.findById(id).lean<ProductDoc>();
    // Only known SKUs are kept: typos must not fill memory.
    if (product) cached.set(id, { product, until: now + PRODUCT_CACHE_MS });
    return product;
  }

  return {
    /** Validates the configured (or demo) catalog and upserts it; throws CatalogError naming every problem. */
    load(): Promise<number> {
      const entries = loadCatalogFile(catalogFile);
      return ctx.guard(() => upsertEntries(entries));
    },
    upsert: (entries: CatalogEntry[]) => ctx.guard(() => upsertEntries(entries)),

    /** Every product by SKU, from memory for up to PRODUCT_CACHE_MS like single products. */
    list(): Promise<ProductDoc[]> {
      return ctx.guard(async () => {
        const now = ctx.clock.now().getTime();
        if (listed && listed.until > now) return listed.products;
        const products = await Product.find().sort({ _id: 1 }).lean<ProductDoc[]>();
        listed = { products, until: now + PRODUCT_CACHE_MS };
        return products;
      });
    },

    /** By SKU, case-insensitively; null when there is no such product. */
    get(sku: string, session?: Session): Promise<ProductDoc | null> {
      return ctx.guard(() => find(sku, session));
    },

    /** Like `get`, but a missing product is the user's mistake. */
    require(sku: string, session?: Session): Promise<ProductDoc> {
      return ctx.guard(async () => {
        const product = await find(sku, session);
        if (!product) {
          throw userError("UNKNOWN_PRODUCT", { sku });
        }
        return product;
      });
    },
  };
}
