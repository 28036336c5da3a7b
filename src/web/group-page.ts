import { discounted } from "../engine/discount";
import { formatMoney, formatTimeLeft, formatUtcInWords } from "../format";
import type { Platform } from "../kernel";
import type { Assets } from "./assets";
import { effectiveState, type GroupSummary, STATE_LABELS, summarise } from "./group-summary";
import { html, type SafeHtml } from "./html";
import { layout } from "./layout";
import type { GroupPageModel, GroupPageState } from "./model";
import type { PlatformOnPage } from "./platforms";

export interface GroupPageContext {
  group: GroupPageModel;
  /** The page's public address (no member token): shown, and drawn as the QR code. */
  url: string;
  qr: SafeHtml;
  now: Date;
  assets: Assets;
  pollMs: number;
  /** Base of every link (PUBLIC_URL). */
  publicUrl: string;
  /** Every platform crowdcart speaks, in the order the page lists them. */
  platforms: readonly PlatformOnPage[];
}

export function renderGroupPage(ctx: GroupPageContext): SafeHtml {
  const { group, now } = ctx;
  const state = effectiveState(group, now);
  const summary = summarise(group);
  const command = `/join ${group.code}`;
  const body = html`<main id="main" class="wrap group" data-state="${state}" data-code="${group.code}"
 data-now="${now.getTime()}" data-expires="${group.expiresAt.toISOString()}" data-poll-ms="${ctx.pollMs}"
 data-price="${group.product.price}" data-currency="${group.product.currency}">
${hero(group, summary, state, ctx.platforms)}
${family(group, ctx.publicUrl)}
${greeting(group, state, command)}
<div class="side">
${state === "open" ? join(command, ctx) : ""}
${share(ctx)}
</div>
${progress(group, summary, state, now)}
${tiers(group, summary)}
${members(group, state, ctx.platforms)}
<p class="visually-hidden" role="status" aria-live="polite" id="live-status"></p>
</main>`;
  return layout({
    title: `${group.product.name} — group ${group.code}`,
    assets: ctx.assets,
    body,
    script: true,
  });
}

function hero(
  group: GroupPageModel,
  summary: GroupSummary,
  state: GroupPageState,
  platforms: readonly PlatformOnPage[],
): SafeHtml {
  const { price, currency } = group.product;
  return html`<section class="card hero" aria-labelledby="product-name">
<p class="eyebrow">Group purchase <span class="code">${group.code}</span> <span class="badge state-${state}" id="state-badge">${STATE_LABELS[state]}</span></p>
<h1 id="product-name">${group.product.name}</h1>
<p class="price"><span class="amount">${formatMoney(price, currency)}</span> <span class="per">list price</span></p>
<p class="deal" id="deal">${dealText(group, summary, state)}</p>
${group.organiser && html`<p class="muted">Organised by <span class="name">${group.organiser.displayName}</span> on ${labelOf(platforms, group.organiser.platform)}.</p>`}
<p class="state-note" id="state-note">${stateNote(group, state)}</p>
</section>`;
}

/** What a member gets at the current count (or got, once the group closed). */
export function dealText(group: GroupPageModel, summary: GroupSummary, state: GroupPageState): string {
  const { currency } = group.product;
  if (state === "failed") return "No discount: the group did not go ahead.";
  if (state === "completed")
    return summary.percentOff > 0
      ? `${summary.percentOff}% back for every member: ${formatMoney(summary.priceNow, currency)} each.`
      : "The group went ahead at list price.";
  if (summary.percentOff === 0) {
    const first = group.tiers[0];
    return first
      ? `${first.percentOff}% back from ${first.members} members (${formatMoney(discounted(group.product.price, first.percentOff), currency)} each).`
      : "One price for everyone.";
  }
  return `${summary.percentOff}% back at ${group.memberCount} members: ${formatMoney(summary.priceNow, currency)} each.`;
}

/** One plain sentence per state. Also rendered by the script when the state changes live. */
export function stateNote(group: GroupPageModel, state: GroupPageState): string {
  switch (state) {
    case "open":
      return group.memberCount >= group.target
        ? `The target is reached: this group goes ahead. It stays open for more members until ${formatUtcInWords(group.expiresAt)} or until it is full.`
        : `This group goes ahead if ${group.target} members join before ${formatUtcInWords(group.expiresAt)}.`;
    case "completed":
      return `This group is complete: it went ahead with ${group.memberCount} members. Each member's discount was credited as points.`;
    case "failed":
      return `This group did not go ahead: it needed ${group.target} members by ${formatUtcInWords(group.expiresAt)}. Every order was cancelled.`;
    case "expired":
      return `Time is up: this group closed at ${formatUtcInWords(group.expiresAt)}. It goes ahead only if it reached ${group.target} members; members will get a message either way.`;
  }
}

function greeting(group: GroupPageModel, state: GroupPageState, command: string): SafeHtml | string {
  const you = group.you;
  if (!you) return "";
  let line: SafeHtml;
  if (you.joined) {
    line = html`You are in${you.joinedAt ? html` since ${formatUtcInWords(you.joinedAt)}` : ""}${you.orders.length > 0 ? `, with ${you.orders.map((o) => `${o.qty} × ${o.name}`).join(" and ")}` : ""}.`;
  } else if (state === "open") {
    line = html`You were invited${group.organiser ? html` by <span class="name">${group.organiser.displayName}</span>` : ""} and have not joined yet. To join, send <code>${command}</code> to crowdcart.`;
  } else {
    line = html`You were invited but did not join; this group is closed.`;
  }
  return html`<section class="card greeting ${you.joined ? "joined" : "invited"}" aria-labelledby="greeting-title">
<h2 id="greeting-title">Hi <span class="name">${you.displayName}</span></h2>
<p id="you-state">${line}</p>
${you.orders.map((order) => order.payment && paymentLine(order.name, order.payment))}
${you.unreachable && html`<p class="warn">We could not send you a direct message. Start a chat with the crowdcart bot so you hear when this group closes.</p>`}
</section>`;
}

function progress(group: GroupPageModel, summary: GroupSummary, state: GroupPageState, now: Date): SafeHtml {
  const cap = Math.max(group.cap, 1);
  const fill = Math.min(100, (group.memberCount / cap) * 100);
  const target = Math.min(100, (group.target / cap) * 100);
  const open = state === "open";
  return html`<section class="card progress-card" aria-labelledby="progress-title">
<h2 id="progress-title">Progress</h2>
<p class="count"><span class="big" id="member-count">${group.memberCount}</span> <span class="of">of ${group.cap} places taken</span></p>
<div class="progress" id="progress" role="progressbar" aria-labelledby="progress-title" aria-valuemin="0" aria-valuemax="${group.cap}" aria-valuenow="${group.memberCount}" aria-valuetext="${progressText(group)}">
<svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
<rect class="track" x="0" y="0" width="100" height="10" rx="0"></rect>
<rect class="fill${group.memberCount >= group.target ? " reached" : ""}" id="progress-fill" x="0" y="0" width="${fill.toFixed(2)}" height="10"></rect>
<line class="target" x1="${target.toFixed(2)}" x2="${target.toFixed(2)}" y1="0" y2="10" vector-effect="non-scaling-stroke"></line>
</svg>
</div>
<ul class="legend">
<li><span class="dot fill" aria-hidden="true"></span><span id="legend-joined">${group.memberCount} joined</span></li>
<li><span class="dot target" aria-hidden="true"></span>target ${group.target}</li>
<li><span class="dot track" aria-hidden="true"></span>closes at ${group.cap}</li>
</ul>
<p id="progress-note">${progressNote(group, summary, state)}</p>
${
  open
    ? html`<p class="countdown"><span class="label">Time left</span> <time id="countdown" role="timer" datetime="${group.expiresAt.toISOString()}">${formatTimeLeft(group.expiresAt.getTime() - now.getTime())}</time></p>
<p class="muted">Closes <time datetime="${group.expiresAt.toISOString()}" class="deadline">${formatUtcInWords(group.expiresAt)}</time></p>`
    : html`<p class="muted">Closed <time datetime="${group.expiresAt.toISOString()}">${formatUtcInWords(group.expiresAt)}</time></p>`
}
</section>`;
}

export function progressText(group: GroupPageModel): string {
  return `${group.memberCount} of ${group.cap} places taken; target ${group.target}`;
}

export function progressNote(group: GroupPageModel, summary: GroupSummary, state: GroupPageState): string {
  if (state === "failed")
    return `It closed with ${group.memberCount} of the ${group.target} members it needed.`;
  if (state === "completed") return `It closed with ${group.memberCount} members.`;
  const parts: string[] = [];
  if (summary.missingForTarget > 0)
    parts.push(
      `${summary.missingForTarget} more ${summary.missingForTarget === 1 ? "member" : "members"} needed to reach the target.`,
    );
  else parts.push("Target reached.");
  if (summary.nextTier && summary.nextTier.members <= group.cap)
    parts.push(`${summary.nextTier.membersMissing} more for ${summary.nextTier.percentOff}% off.`);
  if (summary.placesLeft === 0) parts.push("The group is full.");
  return parts.join(" ");
}

function tiers(group: GroupPageModel, summary: GroupSummary): SafeHtml {
  const { price, currency } = group.product;
  const rows = [{ members: 1, percentOff: 0 }, ...group.tiers].map((tier, i) => {
    const index = i - 1;
    const current = index === summary.currentTier;
    return html`<li class="tier${current ? " current" : ""}${tier.members <= group.memberCount ? " reached" : ""}" data-members="${tier.members}"${current ? html` aria-current="true"` : ""}>
<span class="tier-members">${index < 0 ? "Any number" : `${tier.members}+ members`}</span>
<span class="tier-off">${tier.percentOff > 0 ? `${tier.percentOff}% off` : "list price"}</span>
<span class="tier-price">${formatMoney(discounted(price, tier.percentOff), currency)}</span>
<span class="tier-flag">${current ? "current" : ""}</span>
</li>`;
  });
  return html`<section class="card tiers-card" aria-labelledby="tiers-title">
<h2 id="tiers-title">Price tiers</h2>
<ol class="tiers" id="tiers">${rows}</ol>
<p class="muted small">The more members, the bigger everyone's discount, counted at the final number of members. You order at list price; the discount is credited to you as points when the group completes.</p>
</section>`;
}

function members(
  group: GroupPageModel,
  state: GroupPageState,
  platforms: readonly PlatformOnPage[],
): SafeHtml {
  return html`<section class="card members-card" aria-labelledby="members-title">
<h2 id="members-title">Members <span class="pill" id="members-count">${group.members.length}</span></h2>
<ul class="members" id="members">${group.members.map(
    (m) =>
      html`<li><span class="avatar platform-${m.platform}" aria-hidden="true">${initial(m.displayName)}</span><span class="name">${m.displayName}</span><span class="platform">${labelOf(platforms, m.platform)}</span></li>`,
  )}</ul>
<p class="muted" id="members-empty"${group.members.length > 0 ? html` hidden` : ""}>${state === "open" ? "No one has joined yet. Be the first!" : "No one joined."}</p>
</section>`;
}

/** The waitlist, and the links between a full group and the group opened for its waitlist. */
function family(group: GroupPageModel, publicUrl: string): SafeHtml | string {
  if (!group.waiting && !group.sibling && !group.origin) return "";
  const link = (code: string) => html`<a href="${publicUrl}/g/${code}">${code}</a>`;
  return html`<section class="card family" aria-label="Waitlist and related groups" id="family">
${group.waiting ? html`<p id="waitlist">${group.waiting} waiting for a place: when ${group.target} wait, a new group opens for them. Send <code>/join ${group.code}</code> to be added.</p>` : ""}
${group.origin ? html`<p id="origin">Opened for the waitlist of group ${link(group.origin)}.</p>` : ""}
${group.sibling ? html`<p id="sibling">Latecomers went to group ${link(group.sibling)}.</p>` : ""}
</section>`;
}

function initial(name: string): string {
  return (Array.from(name.trim())[0] ?? "?").toUpperCase();
}

function labelOf(platforms: readonly PlatformOnPage[], id: Platform): string {
  return platforms.find((platform) => platform.id === id)?.label ?? id;
}

function join(command: string, { platforms, publicUrl }: GroupPageContext): SafeHtml {
  return html`<section class="card join" aria-labelledby="join-title" id="join">
<h2 id="join-title">How to join</h2>
<p>Send this command to crowdcart from any platform:</p>
<div class="command">
<code id="join-command">${command}</code>
<button type="button" class="button copy" id="copy-button" data-copy="${command}" aria-describedby="copy-status" hidden>Copy</button>
</div>
<p class="small muted" id="copy-status" role="status" aria-live="polite"></p>
<dl class="platforms">
${platforms.map(
  (platform) => html`<dt>${platform.label}</dt><dd>${platform.joinHint(command, publicUrl)}</dd>
`,
)}</dl>
<p class="small muted">More than one? <code>${command} qty=2</code>. Another product of the catalog? Add its SKU after the code.</p>
</section>`;
}

function share(ctx: GroupPageContext): SafeHtml {
  return html`<section class="card share" aria-labelledby="share-title">
<h2 id="share-title">Share this group</h2>
<figure class="qr-figure">${ctx.qr}<figcaption>Scan to open this page on a phone.</figcaption></figure>
<p class="url"><a href="${ctx.url}">${ctx.url}</a></p>
</section>`;
}

/** Where a member's money stands, with a Pay button while their place waits for it. */
function paymentLine(
  name: string,
  payment: { state: string; payUrl: string | null; charged: number; currency: string },
): SafeHtml {
  const words: Record<string, string> = {
    awaiting: "waiting for your payment: pay to keep your place",
    authorized: "your card is authorized; you are charged the final group price when the group completes",
    captured: `charged ${formatMoney(payment.charged, payment.currency)}`,
    paid: `paid ${formatMoney(payment.charged, payment.currency)}`,
    released: "your card hold was released; nothing was charged",
    refunded: `refunded ${formatMoney(payment.charged, payment.currency)}`,
    expired: "not paid in time; nothing was charged",
  };
  return html`<p class="payment" data-payment="${payment.state}">Payment for ${name}: ${words[payment.state] ?? payment.state}.${
    payment.payUrl && html` <a class="button" href="${payment.payUrl}" rel="noreferrer">Pay</a>`
  }</p>`;
}
