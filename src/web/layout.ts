import type { Assets } from "./assets";
import { html, type SafeHtml } from "./html";

export interface LayoutOptions {
  title: string;
  assets: Assets;
  body: SafeHtml;
  /** Loads the page script (the group page's live updates, countdown and copy button). */
  script?: boolean;
  /** Extra attributes for <body>, e.g. the data the script reads. Already escaped. */
  bodyData?: SafeHtml;
}

/** The document around every page: landmarks, a skip link, our own CSS and script only. */
export function layout({ title, assets, body, script = false, bodyData }: LayoutOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light dark">
<title>${title} · crowdcart</title>
<link rel="icon" href="${assets.icon.url}" type="image/svg+xml">
<link rel="stylesheet" href="${assets.style.url}">
${script && html`<script src="${assets.script.url}" defer></script>`}
</head>
<body${bodyData ?? ""}>
<a class="skip" href="#main">Skip to content</a>
<header class="site" role="banner"><div class="wrap"><span class="brand"><img src="${assets.icon.url}" alt="" width="24" height="24"> crowdcart</span><span class="tagline">buying together</span></div></header>
${body}
<footer class="site" role="contentinfo"><div class="wrap">crowdcart · a storefront for buying together in chat</div></footer>
</body>
</html>
`;
}
