import { randomBytes } from "node:crypto";
import type { PaymentProvider } from "./port";

/**
 * PAYMENTS=demo: the money flow with no account and no money. The checkout is crowdcart's own
 * pretend page (`PUBLIC_URL/pay/<id>`, marked as a demonstration), whose Authorize button reports
 * what Stripe would; captures, releases and refunds have nothing to move and succeed.
 */
export function demoPayments(publicUrl: () => string): PaymentProvider {
  return {
    id: "demo",
    takesMoney: true,
    async openCheckout() {
      // Unguessable: the page's buttons act on whoever holds the link.
      const id = `demo_${randomBytes(16).toString("base64url")}`;
      return { id, url: `${publicUrl()}/pay/${id}` };
    },
    async expireCheckout() {},
    async capture() {},
    async release() {},
    async refund() {},
    // The page reports as it is used; nothing is kept elsewhere to look up.
    async lookup() {
      return null;
    },
  };
}
