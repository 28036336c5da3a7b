import { formatMoney, formatUtc } from "../format";
import type { CartView, CurrentCart } from "./types";

/** "30m", "2h", "1h 30m", "45s": how long something lasts, as a person reads it. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const parts = [
    days ? `${days}d` : "",
    hours ? `${hours}h` : "",
    minutes ? `${minutes}m` : "",
    rest && !days && !hours ? `${rest}s` : "",
  ].filter(Boolean);
  return parts.join(" ");
}

/**
 * The cart as plain text, for commands that want the standard reply: lines, totals per currency,
 * expiry, the code and its link (claims 1, 3, 14, 22: every cart reply shows both).
 */
export function describeCart(cart: CartView | CurrentCart): string {
  const lines: string[] = [];
  if ("replaced" in cart && cart.replaced === "expired") {
    lines.push("Your previous cart expired; this is a new one.");
  }
  if (cart.lines.length === 0) {
    lines.push("Your cart is empty. Add something with /cart add <sku> (see /catalog).");
  } else {
    for (const line of cart.lines) {
      lines.push(
        `• ${line.qty} × ${line.name} (${line.sku}) — ${formatMoney(line.lineTotal, line.currency)}`,
      );
    }
    lines.push(`Total: ${cart.totals.map((total) => formatMoney(total.amount, total.currency)).join(" + ")}`);
  }
  lines.push(`Session code: ${cart.code}`);
  lines.push(`Open it on any device: ${cart.url}`);
  if (cart.status === "open") lines.push(`Expires ${formatUtc(cart.expiresAt)} unless you use it.`);
  return lines.join("\n");
}
