import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for a shop's GraphQL Admin API (`POST /admin/api/<version>/graphql.json`),
 * answering the operations crowdcart sends the way Shopify does: the access token checked (401
 * otherwise), products, variants, metafields and orders kept in memory, connections paginated with
 * opaque cursors, every answer carrying `extensions.cost` from a leaky bucket and THROTTLED errors
 * when the bucket cannot pay for a call, `userErrors` for bad input, and on demand 429s with
 * Retry-After, 5xx answers, or an answer lost after the write was made. Operations are told apart
 * by their operation name (`query CrowdcartFindOrder(...)`), not by parsing the whole document;
 * an unknown name is answered as Shopify answers a field it does not have.
 */

export interface FakeVariant {
  id: string;
  sku: string | null;
  title: string;
  /** A decimal amount in the shop's currency, as Shopify's Money scalar: "129.00". */
  price: string;
}

export interface FakeProduct {
  id: string;
  title: string;
  status: "ACTIVE" | "DRAFT" | "ARCHIVED";
  variants: FakeVariant[];
  /** `namespace.key` → value (JSON metafields hold their JSON text). */
  metafields: Record<string, string>;
}

export interface FakeOrder {
  id: string;
  name: string;
  tags: string[];
  sourceIdentifier: string | null;
  note: string | null;
  customAttributes: { key: string; value: string }[];
  lineItems: { variantId: string; sku: string | null; quantity: number }[];
  cancelledAt: string | null;
  cancelReason: string | null;
}

export interface ShopifyCall {
  operation: string;
  variables: Record<string, unknown>;
  status: number;
  /** Refused as THROTTLED (nothing ran). */
  throttled: boolean;
}

export interface FakeShopifyOptions {
  shop?: string;
  token?: string;
  webhookSecret?: string;
  currencyCode?: string;
  /** The cost bucket: Shopify's standard plan holds 1,000 points and restores 50 a second. */
  bucket?: { maximum: number; restoreRate: number };
  /** The fake's clock (epoch ms) for the bucket's refill; tests share their clock with it. */
  now?: () => number;
}

export type ProductInput = {
  title: string;
  status?: FakeProduct["status"];
  variants: { sku: string | null; title?: string; price: string }[];
  metafields?: Record<string, string>;
};

export interface FakeShopify {
  /** The base to give SHOPIFY_API_URL. */
  apiUrl: string;
  shop: string;
  token: string;
  webhookSecret: string;
  products: FakeProduct[];
  orders: FakeOrder[];
  calls: ShopifyCall[];
  /** Calls of one operation, in order. */
  callsOf(operation: string): ShopifyCall[];
  addProduct(input: ProductInput): FakeProduct;
  updateProduct(id: string, patch: Partial<Omit<FakeProduct, "id">>): FakeProduct;
  deleteProduct(id: string): void;
  /** The orders carrying a tag. */
  ordersTagged(tag: string): FakeOrder[];
  /** The next `times` calls answer 429 with this Retry-After (seconds, as Shopify sends it). */
  rateLimitNext(times: number, retryAfter?: string): void;
  /** The next `times` calls answer this 5xx status. */
  failNext(times: number, status?: number): void;
  /** The next call of `operation` runs (a write is made) but its answer is lost: the connection drops. */
  dropAnswerOf(operation: string): void;
  /** Sets what the bucket holds now (0 empties it: the next call is THROTTLED). */
  setBucket(available: number): void;
  /**
   * A product webhook as Shopify sends it to `url`: the product as JSON, signed with the webhook
   * secret (or `secret`, to forge one), with its topic, webhook id and shop domain headers.
   */
  sendWebhook(
    url: string,
    topic: string,
    productId: string,
    options?: { secret?: string; webhookId?: string },
  ): Promise<number>;
  close(): Promise<void>;
}

/** Shopify refuses a single call whose requested cost is above this, whatever the bucket holds. */
const MAX_SINGLE_QUERY_COST = 1000;

type GraphqlAnswer = { data: unknown; actual: number };
type Variables = Record<string, unknown>;

export async function startFakeShopify(options: FakeShopifyOptions = {}): Promise<FakeShopify> {
  const shop = options.shop ?? "crowdcart-test.myshopify.com";
  const token = options.token ?? "shpat_0123456789abcdef0123456789abcdef";
  const webhookSecret = options.webhookSecret ?? "shopify-webhook-secret-0123456789";
  const currencyCode = options.currencyCode ?? "EUR";
  const { maximum, restoreRate } = options.bucket ?? { maximum: 1000, restoreRate: 50 };
  const now = options.now ?? Date.now;

  const products: FakeProduct[] = [];
  const orders: FakeOrder[] = [];
  const calls: ShopifyCall[] = [];
  let nextId = 1000;
  let orderNumber = 1001;
  let available = maximum;
  let bucketAt = now();
  const failures: { status: number; retryAfter?: string }[] = [];
  const drops = new Set<string>();

  function refill(): number {
    const t = now();
    available = Math.min(maximum, available + (restoreRate * (t - bucketAt)) / 1000);
    bucketAt = t;
    return available;
  }

  function throttleStatus() {
    return { maximumAvailable: maximum, currentlyAvailable: Math.floor(available), restoreRate };
  }

  function variantsOf(id: string) {
    return products.flatMap((p) => p.variants).find((v) => v.id === id);
  }

  // ---- operations ---------------------------------------------------------------------------

  function page<T extends { id: string }>(items: T[], first: unknown, after: unknown) {
    const size = Number(first);
    if (!Number.isInteger(size) || size < 1 || size > 250) {
      throw new GraphqlError("first must be between 1 and 250", "BAD_REQUEST");
    }
    let start = 0;
    if (after !== null && after !== undefined) {
      const id = decodeCursor(String(after));
      const index = items.findIndex((item) => item.id === id);
      if (index < 0) throw new GraphqlError("Invalid cursor for current pagination", "BAD_REQUEST");
      start = index + 1;
    }
    const nodes = items.slice(start, start + size);
    const last = nodes.at(-1);
    return {
      nodes,
      pageInfo: {
        hasNextPage: start + size < items.length,
        endCursor: last ? encodeCursor(last.id) : null,
      },
    };
  }

  function variantsConnection(product: FakeProduct, first: unknown, after: unknown) {
    const { nodes, pageInfo } = page(product.variants, first, after);
    return { pageInfo, nodes: nodes.map(({ sku, title, price }) => ({ sku, title, price })) };
  }

  const operations: Record<string, (v: Variables) => GraphqlAnswer> = {
    CrowdcartCatalogPage(v) {
      const filter = searchTerm(v.query);
      const matching = products.filter(
        (p) =>
          !filter || (filter.field === "status" && p.status.toLowerCase() === filter.value.toLowerCase()),
      );
      const { nodes, pageInfo } = page(matching, v.first, v.after);
      const variantsFirst = Number(v.variants);
      const data = {
        shop: { currencyCode },
        products: {
          pageInfo,
          nodes: nodes.map((p) => ({
            id: p.id,
            title: p.title,
            tiers: metafield(p, "crowdcart.tiers"),
            rebates: metafield(p, "crowdcart.region_rebates"),
            variants: variantsConnection(p, variantsFirst, null),
          })),
        },
      };
      const actual = 3 + data.products.nodes.reduce((sum, p) => sum + 3 + p.variants.nodes.length, 0);
      return { data, actual };
    },
    CrowdcartProductVariants(v) {
      const product = products.find((p) => p.id === v.id);
      if (!product) return { data: { product: null }, actual: 1 };
      const variants = variantsConnection(product, v.first, v.after);
      return { data: { product: { variants } }, actual: 3 + variants.nodes.length };
    },
    CrowdcartFindOrder(v) {
      const filter = searchTerm(v.query);
      const found = filter?.field === "tag" ? ordersTagged(filter.value) : [];
      const nodes = found
        .slice(0, 5)
        .map(({ id, name, sourceIdentifier, cancelledAt }) => ({ id, name, sourceIdentifier, cancelledAt }));
      return { data: { orders: { nodes } }, actual: 2 + nodes.length };
    },
    CrowdcartFindVariant(v) {
      const filter = searchTerm(v.query);
      const nodes =
        filter?.field === "sku"
          ? products
              .flatMap((p) => p.variants)
              .filter((variant) => variant.sku?.toLowerCase() === filter.value.toLowerCase())
              .slice(0, 5)
              .map(({ id, sku }) => ({ id, sku }))
          : [];
      return { data: { productVariants: { nodes } }, actual: 2 + nodes.length };
    },
    CrowdcartCreateOrder(v) {
      const input = (v.order ?? {}) as {
        lineItems?: { variantId?: string; quantity?: number }[];
        tags?: string[];
        sourceIdentifier?: string;
        note?: string;
        customAttributes?: { key: string; value: string }[];
      };
      const userErrors: { field: string[]; message: string; code: string }[] = [];
      const lineItems = input.lineItems ?? [];
      if (lineItems.length === 0)
        userErrors.push({
          field: ["order", "lineItems"],
          message: "Line items must have at least one item",
          code: "INVALID",
        });
      lineItems.forEach((item, i) => {
        if (!item.variantId || !variantsOf(item.variantId)) {
          userErrors.push({
            field: ["order", "lineItems", String(i), "variantId"],
            message: "Product variant does not exist",
            code: "INVALID",
          });
        }
        if (!Number.isInteger(item.quantity) || (item.quantity ?? 0) < 1) {
          userErrors.push({
            field: ["order", "lineItems", String(i), "quantity"],
            message: "Quantity must be greater than or equal to 1",
            code: "INVALID",
          });
        }
      });
      for (const [i, tag] of (input.tags ?? []).entries()) {
        if (tag.length > 40)
          userErrors.push({
            field: ["order", "tags", String(i)],
            message: "Tag is too long (maximum is 40 characters)",
            code: "TOO_LONG",
          });
      }
      if (userErrors.length > 0) return { data: { orderCreate: { order: null, userErrors } }, actual: 10 };
      const order: FakeOrder = {
        id: `gid://shopify/Order/${nextId++}`,
        name: `#${orderNumber++}`,
        tags: input.tags ?? [],
        sourceIdentifier: input.sourceIdentifier ?? null,
        note: input.note ?? null,
        customAttributes: input.customAttributes ?? [],
        lineItems: lineItems.map((item) => ({
          variantId: item.variantId!,
          sku: variantsOf(item.variantId!)?.sku ?? null,
          quantity: item.quantity!,
        })),
        cancelledAt: null,
        cancelReason: null,
      };
      orders.push(order);
      return {
        data: { orderCreate: { order: { id: order.id, name: order.name }, userErrors: [] } },
        actual: 10,
      };
    },
    CrowdcartCancelOrder(v) {
      const order = orders.find((o) => o.id === v.orderId);
      const fail = (message: string, code: string) => ({
        data: { orderCancel: { job: null, orderCancelUserErrors: [{ field: ["orderId"], message, code }] } },
        actual: 10,
      });
      if (!order) return fail("Order does not exist", "NOT_FOUND");
      if (order.cancelledAt) return fail("Cannot cancel an order that has already been cancelled", "INVALID");
      if (typeof v.reason !== "string" || typeof v.restock !== "boolean") {
        throw new GraphqlError("reason and restock are required", "argumentLiteralsIncompatible");
      }
      order.cancelledAt = new Date(now()).toISOString();
      order.cancelReason = v.reason;
      return {
        data: {
          orderCancel: {
            job: { id: `gid://shopify/Job/${randomUUID()}`, done: false },
            orderCancelUserErrors: [],
          },
        },
        actual: 10,
      };
    },
  };

  function metafield(product: FakeProduct, key: string) {
    const value = product.metafields[key];
    return value === undefined ? null : { value };
  }

  function ordersTagged(tag: string): FakeOrder[] {
    return orders.filter((o) => o.tags.some((t) => t.toLowerCase() === tag.toLowerCase()));
  }

  // ---- HTTP --------------------------------------------------------------------------------

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(body));
    };
    const raw = await readAll(req);
    if (
      req.method !== "POST" ||
      !/^\/admin\/api\/(\d{4}-\d{2}|unstable)\/graphql\.json$/.test(req.url ?? "")
    ) {
      return send(404, { errors: "Not Found" });
    }
    if (req.headers["x-shopify-access-token"] !== token) {
      return send(401, {
        errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
      });
    }
    let body: { query?: unknown; variables?: Variables };
    try {
      body = JSON.parse(raw);
    } catch {
      return send(400, { errors: { query: "Required parameter missing or invalid" } });
    }
    const operation = /^\s*(?:query|mutation)\s+(\w+)/.exec(String(body.query ?? ""))?.[1] ?? "";
    const variables = body.variables ?? {};
    const call: ShopifyCall = { operation, variables, status: 200, throttled: false };
    calls.push(call);

    const failure = failures.shift();
    if (failure) {
      call.status = failure.status;
      if (failure.status === 429) {
        return send(
          429,
          {
            errors:
              "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.",
          },
          {
            "retry-after": failure.retryAfter ?? "2.0",
          },
        );
      }
      return send(failure.status, { errors: "Internal Server Error" });
    }

    const run = operations[operation];
    if (!run) {
      return send(200, {
        errors: [
          {
            message: `Field '${operation}' doesn't exist on type 'QueryRoot'`,
            extensions: { code: "undefinedField" },
          },
        ],
      });
    }
    refill();
    // Priced before it runs, as Shopify does: a refused call changes nothing.
    const requested = requestedCost(operation, variables);
    if (requested > MAX_SINGLE_QUERY_COST) {
      return send(200, {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).`,
            extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: MAX_SINGLE_QUERY_COST },
          },
        ],
      });
    }
    if (requested > available) {
      call.throttled = true;
      return send(200, {
        errors: [
          {
            message: "Throttled",
            extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
          },
        ],
        extensions: {
          cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: throttleStatus() },
        },
      });
    }
    let answer: GraphqlAnswer;
    try {
      answer = run(variables);
    } catch (error) {
      if (!(error instanceof GraphqlError)) throw error;
      return send(200, { errors: [{ message: error.message, extensions: { code: error.code } }] });
    }
    const actual = answer.actual;
    available -= actual;
    const reply = {
      data: answer.data,
      extensions: {
        cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttleStatus() },
      },
    };
    if (drops.delete(operation)) {
      // The write stands; the answer never arrives.
      res.socket?.destroy();
      return;
    }
    send(200, reply);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiUrl: `http://127.0.0.1:${port}`,
    shop,
    token,
    webhookSecret,
    products,
    orders,
    calls,
    callsOf: (operation) => calls.filter((c) => c.operation === operation),
    addProduct(input) {
      const product: FakeProduct = {
        id: `gid://shopify/Product/${nextId++}`,
        title: input.title,
        status: input.status ?? "ACTIVE",
        variants: input.variants.map((v) => ({
          id: `gid://shopify/ProductVariant/${nextId++}`,
          sku: v.sku,
          title: v.title ?? "Default Title",
          price: v.price,
        })),
        metafields: { ...input.metafields },
      };
      products.push(product);
      return product;
    },
    updateProduct(id, patch) {
      const product = products.find((p) => p.id === id);
      if (!product) throw new Error(`no product ${id}`);
      Object.assign(product, patch);
      return product;
    },
    deleteProduct(id) {
      const index = products.findIndex((p) => p.id === id);
      if (index >= 0) products.splice(index, 1);
    },
    ordersTagged,
    rateLimitNext(times, retryAfter) {
      for (let i = 0; i < times; i++) failures.push({ status: 429, ...(retryAfter ? { retryAfter } : {}) });
    },
    failNext(times, status = 502) {
      for (let i = 0; i < times; i++) failures.push({ status });
    },
    dropAnswerOf(operation) {
      drops.add(operation);
    },
    setBucket(points) {
      refill();
      available = points;
    },
    async sendWebhook(url, topic, productId, webhookOptions = {}) {
      const product = products.find((p) => p.id === productId);
      const numericId = Number(productId.split("/").pop());
      const payload =
        topic === "products/delete" || !product
          ? { id: numericId }
          : {
              id: numericId,
              admin_graphql_api_id: product.id,
              title: product.title,
              status: product.status.toLowerCase(),
              variants: product.variants.map((v) => ({
                admin_graphql_api_id: v.id,
                sku: v.sku,
                title: v.title,
                price: v.price,
              })),
            };
      const body = JSON.stringify(payload);
      const hmac = createHmac("sha256", webhookOptions.secret ?? webhookSecret)
        .update(body)
        .digest("base64");
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-shopify-topic": topic,
          "x-shopify-hmac-sha256": hmac,
          "x-shopify-shop-domain": shop,
          "x-shopify-webhook-id": webhookOptions.webhookId ?? randomUUID(),
          "x-shopify-api-version": "2026-10",
          "x-shopify-triggered-at": new Date(now()).toISOString(),
        },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

class GraphqlError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** What Shopify would charge for an operation before running it: each connection costs its `first` items. */
function requestedCost(operation: string, v: Variables): number {
  if (operation === "CrowdcartCatalogPage") return 3 + Number(v.first) * (3 + Number(v.variants));
  if (operation === "CrowdcartProductVariants") return 3 + Number(v.first);
  if (operation.startsWith("CrowdcartFind")) return 7;
  return 10;
}

/** One `field:value` term of Shopify's search syntax, the value quoted or bare. */
function searchTerm(query: unknown): { field: string; value: string } | undefined {
  if (typeof query !== "string") return undefined;
  const m = /^\s*(\w+):(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\S+))\s*$/.exec(query);
  if (!m) return undefined;
  const value = (m[2] ?? m[3] ?? m[4] ?? "").replace(/\\(.)/g, "$1");
  return { field: m[1]!, value };
}

function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ last_id: id, v: 1 })).toString("base64url");
}

function decodeCursor(cursor: string): string | undefined {
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")).last_id;
  } catch {
    return undefined;
  }
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
