import type { Admin } from "@medusajs/js-sdk";
import type { ShippingRequest } from "../port";
import { listAll, MedusaFailure, type Page } from "./client";
import type { ShopDefaults } from "./shop";

/** The metadata key that ties a Medusa order to the crowdcart order it was made for. */
export const ORDER_ID_KEY = "crowdcart_order_id";

/**
 * The domain of the address on crowdcart's orders: a request carries the member's chat identity,
 * not an email. `.invalid` is reserved (RFC 2606), so nothing is ever mailed to it.
 */
export const PLACEHOLDER_EMAIL_DOMAIN = "crowdcart.invalid";

interface MedusaOrder {
  id: string;
  status: string;
  metadata?: Record<string, unknown> | null;
}

const ORDER_FIELDS = "id,status,metadata";

/**
 * Orders in Medusa, at most one per crowdcart order: each carries the crowdcart order id in its
 * metadata and in its email (which Medusa's search reads), and is looked up before anything is
 * made, so a call repeated after a crash finds what the first one left: an order (done), a draft
 * order not yet converted (converted now), or nothing (made now).
 */
export class MedusaOrders {
  constructor(
    private readonly admin: Admin,
    private readonly shop: () => Promise<ShopDefaults>,
  ) {}

  async place(request: ShippingRequest): Promise<void> {
    if (await this.find("orders", request.orderId)) return;
    const draft = (await this.find("draft_orders", request.orderId)) ?? (await this.createDraft(request));
    await this.admin.draftOrder.convertToOrder(draft.id, { fields: ORDER_FIELDS });
  }

  /** Cancels the order made for this crowdcart order; one already cancelled, or never made, is done. */
  async cancel(request: ShippingRequest): Promise<void> {
    const order = await this.find("orders", request.orderId);
    if (order) {
      if (order.status !== "canceled") await this.admin.order.cancel(order.id);
      return;
    }
    // A draft never converted is not an order yet: removing it leaves nothing to fulfil.
    const draft = await this.find("draft_orders", request.orderId);
    if (draft) await this.admin.draftOrder.delete(draft.id);
  }

  private async createDraft(request: ShippingRequest): Promise<MedusaOrder> {
    const variantId = await this.variantOf(request.sku);
    const shop = await this.shop();
    const { draft_order } = (await this.admin.draftOrder.create(
      {
        region_id: shop.regionId,
        ...(shop.salesChannelId ? { sales_channel_id: shop.salesChannelId } : {}),
        email: placeholderEmail(request),
        items: [{ variant_id: variantId, quantity: request.qty }],
        shipping_methods: [],
        no_notification_order: true,
        metadata: {
          [ORDER_ID_KEY]: request.orderId,
          crowdcart_group: request.groupCode,
          crowdcart_member: request.user,
          crowdcart_region: request.region,
          crowdcart_created_at: request.createdAt,
        },
      },
      { fields: ORDER_FIELDS },
    )) as { draft_order: MedusaOrder };
    return draft_order;
  }

  /**
   * The order (or draft order) made for `orderId`. Medusa's `q` searches the email loosely and
   * case-blind, so the exact id in the metadata decides.
   */
  private async find(kind: "orders" | "draft_orders", orderId: string): Promise<MedusaOrder | undefined> {
    const list = kind === "orders" ? this.admin.order : this.admin.draftOrder;
    const found = await listAll(
      kind,
      (window) =>
        list.list({ ...window, q: orderId, fields: ORDER_FIELDS }) as Promise<Page<typeof kind, MedusaOrder>>,
    );
    return found.find((order) => order.metadata?.[ORDER_ID_KEY] === orderId);
  }

  private async variantOf(sku: string): Promise<string> {
    const variants = await listAll(
      "variants",
      (window) =>
        this.admin.productVariant.list({ ...window, q: sku, fields: "id,sku" }) as Promise<
          Page<"variants", { id: string; sku?: string | null }>
        >,
    );
    const variant = variants.find((v) => v.sku?.toUpperCase() === sku.toUpperCase());
    if (!variant) throw new MedusaFailure(`Medusa has no variant with SKU ${sku} any more`, false);
    return variant.id;
  }
}

/** `<platform>.<id>+<orderId>@crowdcart.invalid`: the member at a glance, the order to search by. */
function placeholderEmail(request: ShippingRequest): string {
  const member = request.user.replace(":", ".").replace(/[^A-Za-z0-9.-]/g, "-");
  return `${member}+${request.orderId}@${PLACEHOLDER_EMAIL_DOMAIN}`;
}
