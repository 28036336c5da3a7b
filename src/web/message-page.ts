import type { Assets } from "./assets";
import { html, type SafeHtml } from "./html";
import { layout } from "./layout";

export interface MessagePage {
  title: string;
  /** One or two plain sentences. */
  lines: string[];
  /** Shown as a warning box (an improper access to a cart). */
  warning?: string;
}

/** Not found, expired and refused: one short page, the same layout as the others. */
export function renderMessagePage(page: MessagePage, assets: Assets): SafeHtml {
  const body = html`<main id="main" class="wrap narrow">
<section class="card message" aria-labelledby="message-title">
<h1 id="message-title">${page.title}</h1>
${page.warning && html`<p class="warn" role="alert">${page.warning}</p>`}
${page.lines.map((line) => html`<p>${line}</p>`)}
</section>
</main>`;
  return layout({ title: page.title, assets, body });
}

export const MESSAGES = {
  groupNotFound: {
    title: "No group with this code",
    lines: [
      "Check the code against the message you received.",
      "To start a group, send /groupbuy <sku> to crowdcart in chat.",
    ],
  },
  cartNotFound: {
    title: "No cart with this code",
    lines: [
      "This address does not open a cart. Check it against the last message crowdcart sent you.",
      "To see your cart, send /cart in chat.",
    ],
  },
  cartExpired: {
    title: "This cart has expired",
    lines: ["Cart sessions close after a while without activity. Send /cart in chat to start a new one."],
  },
  cartClosed: {
    title: "This cart was checked out",
    lines: ["Its code no longer opens a cart. Send /cart in chat to start a new one."],
  },
  payNotFound: {
    title: "No checkout here",
    lines: [
      "This address does not open a checkout. Use the link crowdcart sent you after /join or /cart checkout.",
    ],
  },
  unavailable: {
    title: "Back in a minute",
    lines: [
      "crowdcart cannot reach its database right now. Nothing was changed; please reload this page in a minute.",
    ],
  },
} satisfies Record<string, MessagePage>;
