import type { ProductDoc } from "../../../models";
import type { EngineContext, Session } from "../context";
import { UserError } from "../errors";
import { loadCatalogFile } from "./load";
import type { CatalogEntry } from "./schema";

export { CatalogError, DEMO_CATALOG_FILE, describeRejection, loadCatalogFile, parseCatalog } from "./load";
export type { CatalogEntry } from "./schema";

export type Catalog = ReturnType<typeof createCatalog>;

/** The products for sale (CONTRACT §5): loaded from a file at start, read from the database after. */
export function createCatalog(ctx: EngineContext, catalogFile?: string) {
  const { Product } = ctx.models;

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
    return entries.length;
  }

  async function find(sku: string, session?: Session): Promise<ProductDoc | null> {
    return Product.findById(sku.trim().toUpperCase())
      .session(session ?? null)
      .lean<ProductDoc>();
  }

  return {
    /** Validates the configured (or demo) catalog and upserts it; throws CatalogError naming every problem. */
    load(): Promise<number> {
      const entries = loadCatalogFile(catalogFile);
      return ctx.guard(() => upsertEntries(entries));
    },
    upsert: (entries: CatalogEntry[]) => ctx.guard(() => upsertEntries(entries)),

    list(): Promise<ProductDoc[]> {
      return ctx.guard(() => Product.find().sort({ _id: 1 }).lean<ProductDoc[]>());
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
          throw new UserError(
            "UNKNOWN_PRODUCT",
            `There is no product "${sku}"; type /catalog to see what is for sale`,
          );
        }
        return product;
      });
    },
  };
}
