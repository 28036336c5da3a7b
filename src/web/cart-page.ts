import { formatMoney, formatTimeLeft, formatUtcInWords } from "../format";
import type { Assets } from "./assets";
import { html, type SafeHtml } from "./html";
import { layout } from "./layout";
import type { CartPageModel, CheckedOutPaymentModel } from "./model";

export interface CartPageContext {
  cart: CartPageModel;
  now: Date;
  assets: Assets;
}

export function renderCartPage({ cart, now, assets }: CartPageContext): SafeHtml {
  const empty = cart.lines.length === 0;
  const body = html`<main id="main" class="wrap narrow cart">
<section class="card" aria-labelledby="cart-title">
<p class="eyebrow">Cart session</p>
<h1 id="cart-title">Your cart</h1>
<p class="session-code">Session <code>${cart.code}</code></p>
${
  empty
    ? html`<p class="empty">This cart is empty. Add a product from chat with <code>/cart add &lt;sku&gt;</code>.</p>`
    : html`<div class="table-scroll"><table class="lines">
<caption class="visually-hidden">Items in this cart</caption>
<thead><tr><th scope="col">Item</th><th scope="col" class="num wide">Qty</th><th scope="col" class="num wide">Unit price</th><th scope="col" class="num">Total</th></tr></thead>
<tbody>${cart.lines.map(
        (line) =>
          html`<tr><th scope="row"><span class="name">${line.name}</span> <span class="sku">${line.sku}</span><span class="each">${line.qty} × ${formatMoney(line.unitPrice, line.currency)}</span></th><td class="num wide">${line.qty}</td><td class="num wide">${formatMoney(line.unitPrice, line.currency)}</td><td class="num">${formatMoney(line.lineTotal, line.currency)}</td></tr>`,
      )}</tbody>
<tfoot>${cart.totals.map(
        (total) =>
          html`<tr class="total"><th scope="row">Total${cart.totals.length > 1 ? ` (${total.currency})` : ""}</th><td class="wide"></td><td class="wide"></td><td class="num">${formatMoney(total.amount, total.currency)}</td></tr>`,
      )}</tfoot>
</table></div>`
}
${
  cart.payment
    ? awaitingPayment(cart.payment)
    : html`<p class="expiry">This session expires <time datetime="${cart.expiresAt.toISOString()}">${formatUtcInWords(cart.expiresAt)}</time> (${formatTimeLeft(cart.expiresAt.getTime() - now.getTime())} without activity). Each change in chat extends it.</p>
<p class="muted small">Check out from chat with <code>/cart checkout</code>, or continue on another device with <code>/cart resume ${cart.code}</code>.</p>`
}
</section>
<aside class="card notice" aria-labelledby="private-title">
<h2 id="private-title">Keep this code private</h2>
<p>Anyone with this page's address or session code can see and change this cart. Do not share it or post it in a channel. Wrong codes are recorded and slowed down, and after repeated attempts the code is replaced and the new one sent to you.</p>
</aside>
</main>`;
  return layout({ title: "Your cart", assets, body });
}

/** A cart checked out with payments on, before its money arrived: one Pay button for all its lines. */
function awaitingPayment(payment: NonNullable<CartPageModel["payment"]>): SafeHtml {
  return html`<p data-payment="awaiting">Checked out: ${formatMoney(payment.amount, payment.currency)} to pay by <time datetime="${payment.dueBy.toISOString()}">${formatUtcInWords(payment.dueBy)}</time>. The orders are placed and shipped once it is paid; until then the cart cannot change, and unpaid it opens again.${
    payment.url
      ? html` <a class="button" href="${payment.url}" rel="noreferrer">Pay</a>`
      : html` The payment link is on its way by DM.`
  }</p>`;
}

/** The words for where an order's money stands on the paid cart's page. */
const PAYMENT_WORDS: Record<string, string> = {
  paid: "paid",
  refunded: "refunded",
};

/** A cart paid with payments on: each of its orders, and where its money stands. */
export function renderCheckedOutPage(payments: CheckedOutPaymentModel[], assets: Assets): SafeHtml {
  const body = html`<main id="main" class="wrap narrow cart">
<section class="card" aria-labelledby="cart-title">
<p class="eyebrow">Cart session</p>
<h1 id="cart-title">Your cart was checked out</h1>
<p>It was paid, and its orders ship.</p>
<ul class="payments">${payments.map(
    (p) =>
      html`<li data-payment="${p.state}">${p.qty} × <span class="name">${p.name}</span>, ${formatMoney(p.total, p.currency)}: ${PAYMENT_WORDS[p.state] ?? p.state}</li>`,
  )}</ul>
</section>
</main>`;
  return layout({ title: "Your cart", assets, body });
}
