import type { ProductDoc } from "../../../models";
import type { CatalogSource } from "../../storefront/port";
import type { EngineContext, Session } from "../context";
import { userError } from "../errors";
import type { CatalogEntry } from "./schema";

export { CatalogError, DEMO_CATALOG_FILE, describeRejection, loadCatalogFile, parseCatalog } from "./load";
export type { CatalogEntry } from "./schema";

export type Catalog = ReturnType<typeof createCatalog>;

/**
 * How long a product read outside a transaction may be served from memory. This process's own
 * reading of the storefront clears the copy at once; so a `/join`'s order (priced from this copy),
 * a cart line or /catalog can follow another instance's reading by at most this long. A checkout
 * prices inside its transaction.
 */
const PRODUCT_CACHE_MS = 30_000;

/**
 * The products for sale (README "Catalog"): read from the storefront at start, again every
 * `refreshEveryMs` and whenever it says its products changed, and from the database in between.
 * Without a source (tests that write products themselves) it only holds what is upserted.
 */
export function createCatalog(ctx: EngineContext, source?: CatalogSource) {
  const { Product } = ctx.models;
  const cached = new Map<string, { product: ProductDoc | null; until: number }>();
  let listed: { products: ProductDoc[]; until: number } | undefined;

  function forget(): void {
    cached.clear();
    listed = undefined;
  }

  async function upsertEntries(entries: CatalogEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const now = ctx.clock.now();
    await Product.bulkWrite(
      entries.map((entry) => ({
        replaceOne: {
          filter: { _id: entry.sku.toUpperCase() },
          // Listed again: a product that came back is on sale again.
          replacement: { _id: entry.sku.toUpperCase(), ...entry, updatedAt: now, withdrawnAt: null },
          upsert: true,
        },
      })),
    );
    forget();
    return entries.length;
  }

  /**
   * One complete reading: its products upserted, every other product still on sale withdrawn
   * (kept for the orders and groups that name it). Each product left out is logged, one line each.
   */
  async function readSource(from: CatalogSource): Promise<{ products: number; withdrawn: number }> {
    const reading = await from.read();
    for (const rejection of reading.rejections) ctx.log.warn(rejection);
    const products = await upsertEntries(reading.entries);
    const listedIds = reading.entries.map((entry) => entry.sku.toUpperCase());
    const { modifiedCount } = await Product.updateMany(
      { _id: { $nin: listedIds }, withdrawnAt: null },
      { $set: { withdrawnAt: ctx.clock.now() } },
    );
    if (modifiedCount > 0) forget();
    return { products, withdrawn: modifiedCount };
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

  /** A reading whose failure is logged, one line, rather than thrown: the products known stay. */
  async function readLogged(from: CatalogSource): Promise<number | undefined> {
    try {
      const { products, withdrawn } = await ctx.guard(() => readSource(from));
      ctx.log.info({ products, withdrawn }, "catalog read from the storefront");
      return products;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      ctx.log.warn(
        `catalog: the storefront could not be read (${reason}); the products already known stay, read again at the next refresh`,
      );
      return undefined;
    }
  }

  let reading: Promise<void> | undefined;
  let readAgain = false;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let listening = false;

  /**
   * Reads the storefront now. Asked while a reading is under way, it reads once more after that
   * one (which may have missed the change), however many times it was asked meanwhile: a burst of
   * webhooks makes one reading at a time. Resolves when the storefront was read after the ask.
   */
  function refresh(): Promise<void> {
    if (!source) return Promise.resolve();
    if (reading) {
      readAgain = true;
      return reading;
    }
    reading = (async () => {
      do {
        readAgain = false;
        await readLogged(source);
      } while (readAgain);
    })().finally(() => {
      reading = undefined;
    });
    return reading;
  }

  return {
    /**
     * The first reading, at start. A catalog that only changes at start (the file) must be good:
     * a CatalogError names every problem and the process does not start. A connected storefront
     * that cannot be read is logged and read again at the next refresh; the products already in
     * the database stay on sale meanwhile. Returns how many products were read.
     */
    async load(): Promise<number> {
      if (!source) return 0;
      if (source.refreshEveryMs === undefined) return (await ctx.guard(() => readSource(source))).products;
      return (await readLogged(source)) ?? 0;
    },
    upsert: (entries: CatalogEntry[]) => ctx.guard(() => upsertEntries(entries)),
    refresh,

    /** Reads the storefront every `refreshEveryMs`, and at once when it says its products changed. */
    start(): void {
      if (!source || running) return;
      running = true;
      if (!listening && source.onChange) {
        listening = true;
        source.onChange(() => {
          if (running) void refresh();
        });
      }
      if (source.refreshEveryMs !== undefined) {
        timer = setInterval(() => void refresh(), source.refreshEveryMs);
        timer.unref();
      }
    },

    /** Resolves once no reading is under way (one a webhook just started included). */
    settled: (): Promise<void> => reading ?? Promise.resolve(),

    /** Stops the readings; one under way finishes first. */
    async stop(): Promise<void> {
      running = false;
      clearInterval(timer);
      timer = undefined;
      await reading;
    },

    /** Every product on sale by SKU, from memory for up to PRODUCT_CACHE_MS like single products. */
    list(): Promise<ProductDoc[]> {
      return ctx.guard(async () => {
        const now = ctx.clock.now().getTime();
        if (listed && listed.until > now) return listed.products;
        // Withdrawn products stay for the orders that name them, but are no longer for sale.
        const products = await Product.find({ withdrawnAt: null }).sort({ _id: 1 }).lean<ProductDoc[]>();
        listed = { products, until: now + PRODUCT_CACHE_MS };
        return products;
      });
    },

    /** By SKU, case-insensitively; null when there is no such product. */
    get(sku: string, session?: Session): Promise<ProductDoc | null> {
      return ctx.guard(() => find(sku, session));
    },

    /** Like `get`, but a product missing or withdrawn is the user's mistake: for a new group, join or cart line. */
    require(sku: string, session?: Session): Promise<ProductDoc> {
      return ctx.guard(async () => {
        const product = await find(sku, session);
        if (!product) {
          throw userError("UNKNOWN_PRODUCT", { sku });
        }
        if (product.withdrawnAt) throw userError("PRODUCT_WITHDRAWN", { sku: product.sku });
        return product;
      });
    },
  };
}
