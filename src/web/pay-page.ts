import { formatMoney } from "../format";
import type { Assets } from "./assets";
import { html, type SafeHtml } from "./html";
import { layout } from "./layout";

/** What the demo checkout shows of the order it was opened for. */
export interface PayPageModel {
  checkoutId: string;
  description: string;
  amount: number;
  currency: string;
  capture: "manual" | "automatic";
  /** Where the member stands: still to pay, or what already happened. */
  state: "awaiting" | "authorized" | "paid" | "declined" | "closed";
  returnUrl: string;
}

/**
 * The demo provider's pretend checkout: clearly a demonstration, no card asked for, two buttons
 * reporting what a real checkout would. Every value is escaped by `html`.
 */
export function renderPayPage(model: PayPageModel, assets: Assets): SafeHtml {
  const amount = formatMoney(model.amount, model.currency);
  const what =
    model.capture === "manual"
      ? `Authorizing holds ${amount} on a pretend card; the final group price is taken only when the group completes.`
      : `Authorizing pays ${amount} on a pretend card at once.`;
  const outcome: Record<PayPageModel["state"], string> = {
    awaiting: "",
    authorized: `Authorized: ${amount} is held. You are charged the final group price when the group completes.`,
    paid: `Paid: ${amount}.`,
    declined: "Declined: nothing was held. You may try again before the payment window ends.",
    closed: "This checkout is closed: the order was cancelled or its payment window ended.",
  };
  const open = model.state === "awaiting" || model.state === "declined";
  const body = html`<main id="main" class="wrap narrow">
<section class="card message" aria-labelledby="pay-title">
<p class="warn" role="note"><strong>Demonstration</strong>: PAYMENTS=demo. No card is asked for and no money moves.</p>
<h1 id="pay-title">Pay for ${model.description}</h1>
<p>${what}</p>
${outcome[model.state] && html`<p role="status">${outcome[model.state]}</p>`}
${
  open &&
  html`<form method="post" action="/pay/${model.checkoutId}/authorize"><button type="submit" class="button">Authorize</button></form>
<form method="post" action="/pay/${model.checkoutId}/decline"><button type="submit" class="button">Decline</button></form>`
}
<p><a href="${model.returnUrl}">${model.capture === "manual" ? "Back to the group" : "Back to crowdcart"}</a></p>
</section>
</main>`;
  return layout({ title: "Demo checkout", assets, body });
}
