import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Request, type Response } from "express";

/** A price as Medusa v2's Admin API shows it: the amount in major units (12.99), currency lower-case. */
export interface FakeMedusaPrice {
  amount: number;
  currency_code: string;
  rules?: Record<string, string>;
  min_quantity?: number | null;
  max_quantity?: number | null;
}

export interface FakeMedusaVariant {
  id: string;
  title: string;
  sku: string | null;
  prices: FakeMedusaPrice[];
}

export interface FakeMedusaProduct {
  id: string;
  title: string;
  status: "draft" | "proposed" | "published" | "rejected";
  metadata: Record<string, unknown> | null;
  variants: FakeMedusaVariant[];
}

/** An order or a draft order: in Medusa v2 both are orders, a draft one with `is_draft_order`. */
export interface FakeMedusaOrder {
  id: string;
  display_id: number;
  status: "draft" | "pending" | "canceled";
  is_draft_order: boolean;
  email: string;
  region_id: string;
  sales_channel_id: string | null;
  currency_code: string;
  no_notification: boolean;
  items: Array<{
    id: string;
    variant_id: string;
    variant_sku: string | null;
    title: string;
    quantity: number;
    unit_price: number;
  }>;
  metadata: Record<string, unknown> | null;
  created_at: string;
  canceled_at: string | null;
}

export interface FakeMedusaCall {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number;
}

export interface NewProduct {
  title: string;
  status?: FakeMedusaProduct["status"];
  metadata?: Record<string, unknown> | null;
  variants: Array<{ title?: string; sku: string | null; prices: FakeMedusaPrice[] }>;
}

export interface FakeMedusa {
  /** MEDUSA_URL for it. */
  url: string;
  /** The only secret API key it accepts. */
  apiKey: string;
  regionId: string;
  salesChannelId: string;
  calls: FakeMedusaCall[];
  addProduct(product: NewProduct): FakeMedusaProduct;
  /** An edit in the Medusa admin: the product's metadata replaced. */
  setMetadata(productId: string, metadata: Record<string, unknown> | null): void;
  deleteProduct(productId: string): void;
  /** Orders and draft orders made for one crowdcart order (by the metadata key crowdcart writes). */
  ordersFor(crowdcartOrderId: string): FakeMedusaOrder[];
  /** Every order and draft order, in the order they were made. */
  orders(): FakeMedusaOrder[];
  /**
   * The next `times` requests to `route` (e.g. `POST /admin/draft-orders`), after `skip` more that
   * pass, answer `status` with Medusa's error body, doing nothing; `retryAfterSeconds` adds a
   * Retry-After header.
   */
  failNext(
    route: string,
    answer: { status: number; type?: string; message?: string; retryAfterSeconds?: number },
    times?: number,
    skip?: number,
  ): void;
  /** The next `times` requests to `route` do their work, then the connection drops before the answer. */
  dropAnswerAfterCommit(route: string, times?: number): void;
  close(): Promise<void>;
}

/** The query parameters each list accepts besides pagination and `fields`; Medusa refuses others. */
const LIST_FILTERS: Record<string, string[]> = {
  "/admin/products": ["status", "q", "id"],
  "/admin/product-variants": ["q", "id"],
  "/admin/stores": ["q", "id"],
  "/admin/regions": ["q", "id", "currency_code"],
  "/admin/draft-orders": ["q", "id", "region_id", "sales_channel_id"],
  "/admin/orders": ["q", "id", "status", "region_id", "sales_channel_id"],
};

const DRAFT_ORDER_FIELDS = new Set([
  "status",
  "sales_channel_id",
  "email",
  "customer_id",
  "billing_address",
  "shipping_address",
  "items",
  "region_id",
  "promo_codes",
  "currency_code",
  "no_notification_order",
  "shipping_methods",
  "metadata",
]);

class MedusaError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A local stand-in for a Medusa v2 backend's Admin API, for the routes the JS SDK calls to read a
 * catalog and to place and cancel orders. Like Medusa: a secret API key in HTTP Basic auth (401
 * otherwise), `limit`/`offset` pagination answered with `count`, `fields` accepted, unknown query
 * or body fields refused with `{ type: "invalid_data", message }`, `q` searching an order's email
 * case-blind, draft orders converted in place (same id). It can answer errors (429, 5xx) and drop
 * an answer after doing the work, as a crash or a cut connection would.
 */
export async function startFakeMedusa(): Promise<FakeMedusa> {
  const apiKey = "sk_fake0123456789abcdef0123456789";
  const regionId = "reg_01EUROPE";
  const salesChannelId = "sc_01DEFAULT";
  const regions = [{ id: regionId, name: "Europe", currency_code: "eur" }];
  const store = {
    id: "store_01",
    name: "Fake Medusa Store",
    default_region_id: regionId,
    default_sales_channel_id: salesChannelId,
  };
  const products: FakeMedusaProduct[] = [];
  const orders: FakeMedusaOrder[] = [];
  const calls: FakeMedusaCall[] = [];
  const failures = new Map<
    string,
    { answer: Parameters<FakeMedusa["failNext"]>[1]; times: number; skip: number }
  >();
  const drops = new Map<string, number>();
  let serial = 0;
  const nextId = (prefix: string) => `${prefix}_${String(++serial).padStart(8, "0")}`;

  const app = express();
  app.set("query parser", "extended");
  app.use(express.json());

  app.use((req, res, next) => {
    const [scheme, credentials] = (req.get("authorization") ?? "").split(" ");
    const key =
      scheme === "Basic"
        ? Buffer.from(credentials ?? "", "base64")
            .toString("utf8")
            .replace(/:$/, "")
        : "";
    if (key !== apiKey) {
      record(req, 401);
      res.status(401).json({ type: "unauthorized", message: "Unauthorized" });
      return;
    }
    next();
  });

  function record(req: Request, status: number): void {
    calls.push({ method: req.method, path: req.path, query: req.query, body: req.body, status });
  }

  /** One route: injected failures first, then the work, then the answer (or a dropped connection). */
  function route(method: "get" | "post" | "delete", path: string, work: (req: Request) => unknown): void {
    app[method](path, (req: Request, res: Response) => {
      const key = `${method.toUpperCase()} ${path}`;
      const failure = failures.get(key);
      if (failure && failure.skip > 0) failure.skip -= 1;
      else if (failure && failure.times > 0) {
        failure.times -= 1;
        const { status, type, message, retryAfterSeconds } = failure.answer;
        record(req, status);
        if (retryAfterSeconds !== undefined) res.set("Retry-After", String(retryAfterSeconds));
        res.status(status).json({
          type: type ?? (status >= 500 ? "unknown_error" : "invalid_data"),
          message: message ?? "An unknown error occurred.",
        });
        return;
      }
      let answer: unknown;
      try {
        answer = work(req);
      } catch (error) {
        const e = error instanceof MedusaError ? error : new MedusaError(500, "unknown_error", String(error));
        record(req, e.status);
        res.status(e.status).json({ type: e.type, message: e.message });
        return;
      }
      const drop = drops.get(key) ?? 0;
      if (drop > 0) {
        drops.set(key, drop - 1);
        record(req, 0);
        res.socket?.destroy();
        return;
      }
      record(req, 200);
      res.status(200).json(answer);
    });
  }

  /** Medusa validates list queries strictly; pagination defaults to 50 from 0. */
  function listQuery(
    req: Request,
    path: string,
  ): { limit: number; offset: number; filters: Record<string, unknown> } {
    const allowed = new Set([...(LIST_FILTERS[path] ?? []), "limit", "offset", "fields", "order"]);
    const unknown = Object.keys(req.query).filter((k) => !allowed.has(k));
    if (unknown.length > 0) {
      throw new MedusaError(
        400,
        "invalid_data",
        `Invalid request: Unrecognized fields: '${unknown.join("', '")}'`,
      );
    }
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    const offset = req.query.offset === undefined ? 0 : Number(req.query.offset);
    if (!Number.isInteger(limit) || !Number.isInteger(offset) || limit < 0 || offset < 0) {
      throw new MedusaError(400, "invalid_data", 'Invalid request: Expected number, received nan at "limit"');
    }
    const { limit: _l, offset: _o, fields: _f, order: _order, ...filters } = req.query;
    return { limit, offset, filters };
  }

  function page<T>(key: string, items: T[], { limit, offset }: { limit: number; offset: number }) {
    return { [key]: items.slice(offset, offset + limit), count: items.length, offset, limit };
  }

  const asList = (value: unknown): string[] | undefined =>
    value === undefined ? undefined : Array.isArray(value) ? value.map(String) : [String(value)];
  const contains = (text: string | null | undefined, q: unknown) =>
    q === undefined || (text ?? "").toLowerCase().includes(String(q).toLowerCase());

  route("get", "/admin/stores", (req) => page("stores", [store], listQuery(req, "/admin/stores")));

  route("get", "/admin/regions", (req) => {
    const query = listQuery(req, "/admin/regions");
    const ids = asList(query.filters.id);
    return page(
      "regions",
      regions.filter((r) => !ids || ids.includes(r.id)),
      query,
    );
  });

  route("get", "/admin/products", (req) => {
    const query = listQuery(req, "/admin/products");
    const statuses = asList(query.filters.status);
    const found = products.filter(
      (p) => (!statuses || statuses.includes(p.status)) && contains(p.title, query.filters.q),
    );
    return page("products", found, query);
  });

  route("get", "/admin/product-variants", (req) => {
    const query = listQuery(req, "/admin/product-variants");
    const variants = products.flatMap((p) => p.variants.map((v) => ({ ...v, product_id: p.id })));
    const q = query.filters.q;
    return page(
      "variants",
      variants.filter((v) => q === undefined || contains(v.sku, q) || contains(v.title, q)),
      query,
    );
  });

  const searchOrders = (drafts: boolean, path: string, key: string) => (req: Request) => {
    const query = listQuery(req, path);
    const q = query.filters.q;
    const found = orders.filter(
      (o) =>
        o.is_draft_order === drafts &&
        (q === undefined || contains(o.email, q) || String(o.display_id) === q),
    );
    return page(key, found, query);
  };
  route("get", "/admin/draft-orders", searchOrders(true, "/admin/draft-orders", "draft_orders"));
  route("get", "/admin/orders", searchOrders(false, "/admin/orders", "orders"));

  route("post", "/admin/draft-orders", (req) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(body).filter((k) => !DRAFT_ORDER_FIELDS.has(k));
    if (unknown.length > 0) {
      throw new MedusaError(
        400,
        "invalid_data",
        `Invalid request: Unrecognized fields: '${unknown.join("', '")}'`,
      );
    }
    if (typeof body.region_id !== "string") {
      throw new MedusaError(400, "invalid_data", "Invalid request: Field 'region_id' is required");
    }
    if (!Array.isArray(body.shipping_methods)) {
      throw new MedusaError(400, "invalid_data", "Invalid request: Field 'shipping_methods' is required");
    }
    if (!body.email && !body.customer_id) {
      throw new MedusaError(
        400,
        "invalid_data",
        "Invalid request: Either email or customer_id must be provided",
      );
    }
    const region = regions.find((r) => r.id === body.region_id);
    if (!region)
      throw new MedusaError(404, "not_found", `Region with id: ${String(body.region_id)} was not found`);
    const items = ((body.items ?? []) as Array<{ variant_id?: string; quantity?: number }>).map((item) => {
      const product = products.find((p) => p.variants.some((v) => v.id === item.variant_id));
      const variant = product?.variants.find((v) => v.id === item.variant_id);
      if (!product || !variant) {
        throw new MedusaError(404, "not_found", `Variants with IDs ${String(item.variant_id)} do not exist`);
      }
      if (!Number.isInteger(item.quantity) || (item.quantity ?? 0) < 1) {
        throw new MedusaError(
          400,
          "invalid_data",
          'Invalid request: Expected a positive quantity at "items.0.quantity"',
        );
      }
      const price = variant.prices.find((p) => p.currency_code === region.currency_code);
      return {
        id: nextId("ordli"),
        variant_id: variant.id,
        variant_sku: variant.sku,
        title: product.title,
        quantity: item.quantity as number,
        unit_price: price?.amount ?? 0,
      };
    });
    const draft: FakeMedusaOrder = {
      id: nextId("order"),
      display_id: orders.length + 1,
      status: "draft",
      is_draft_order: true,
      email: String(body.email),
      region_id: region.id,
      sales_channel_id: (body.sales_channel_id as string | undefined) ?? null,
      currency_code: region.currency_code,
      no_notification: Boolean(body.no_notification_order),
      items,
      metadata: (body.metadata as Record<string, unknown> | undefined) ?? null,
      created_at: new Date().toISOString(),
      canceled_at: null,
    };
    orders.push(draft);
    return { draft_order: draft };
  });

  const orderById = (id: string, what: string) => {
    const order = orders.find((o) => o.id === id);
    if (!order) throw new MedusaError(404, "not_found", `${what} with id: ${id} was not found`);
    return order;
  };

  route("post", "/admin/draft-orders/:id/convert-to-order", (req) => {
    const draft = orderById(String(req.params.id), "Draft order");
    if (!draft.is_draft_order) {
      throw new MedusaError(400, "not_allowed", `Order ${draft.id} is not a draft order`);
    }
    draft.is_draft_order = false;
    draft.status = "pending";
    return { order: draft };
  });

  route("delete", "/admin/draft-orders/:id", (req) => {
    const draft = orderById(String(req.params.id), "Draft order");
    if (!draft.is_draft_order)
      throw new MedusaError(400, "not_allowed", `Order ${draft.id} is not a draft order`);
    orders.splice(orders.indexOf(draft), 1);
    return { id: draft.id, object: "draft-order", deleted: true };
  });

  route("post", "/admin/orders/:id/cancel", (req) => {
    const order = orderById(String(req.params.id), "Order");
    if (order.is_draft_order) throw new MedusaError(400, "not_allowed", `Order ${order.id} is a draft order`);
    if (order.status === "canceled")
      throw new MedusaError(400, "not_allowed", `Order ${order.id} is already canceled`);
    order.status = "canceled";
    order.canceled_at = new Date().toISOString();
    return { order };
  });

  app.use((req: Request, res: Response) => {
    record(req, 404);
    res.status(404).json({ type: "not_found", message: `Cannot ${req.method} ${req.path}` });
  });

  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    regionId,
    salesChannelId,
    calls,
    addProduct(input) {
      const product: FakeMedusaProduct = {
        id: nextId("prod"),
        title: input.title,
        status: input.status ?? "published",
        metadata: input.metadata ?? null,
        variants: input.variants.map((v) => ({
          id: nextId("variant"),
          title: v.title ?? "Default variant",
          sku: v.sku,
          prices: v.prices,
        })),
      };
      products.push(product);
      return product;
    },
    setMetadata(productId, metadata) {
      const product = products.find((p) => p.id === productId);
      if (!product) throw new Error(`no product ${productId}`);
      product.metadata = metadata;
    },
    deleteProduct(productId) {
      const index = products.findIndex((p) => p.id === productId);
      if (index >= 0) products.splice(index, 1);
    },
    ordersFor: (crowdcartOrderId) =>
      orders.filter((o) => o.metadata?.crowdcart_order_id === crowdcartOrderId),
    orders: () => [...orders],
    failNext(routeKey, answer, times = 1, skip = 0) {
      failures.set(routeKey, { answer, times, skip });
    },
    dropAnswerAfterCommit(routeKey, times = 1) {
      drops.set(routeKey, times);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
