import QRCode from "qrcode";
import { escapeHtml, type SafeHtml, trustedHtml } from "./html";

/**
 * The QR code of a page's address, drawn on the server as inline SVG (no image request, no
 * third-party service). A code costs ~1.5 ms to draw and a group's URL never changes, so the
 * last few hundred are kept.
 */
const cache = new Map<string, SafeHtml>();
const CACHE_LIMIT = 500;

export async function qrSvg(url: string, label: string): Promise<SafeHtml> {
  const key = `${label}\n${url}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const svg = await QRCode.toString(url, {
    type: "svg",
    errorCorrectionLevel: "M",
    margin: 2,
    color: { dark: "#000000", light: "#ffffff" },
  });
  // The SVG is the library's output for a URL we built; only the label (escaped here) is added.
  const labelled = svg.replace(
    "<svg ",
    `<svg class="qr" role="img" aria-label="${escapeHtml(label)}" focusable="false" `,
  );
  const safe = trustedHtml(labelled);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value ?? "");
  cache.set(key, safe);
  return safe;
}
