import type { Platform } from "../../../src/kernel";
import type {
  CartPageModel,
  CartPageOutcome,
  CartViews,
  GroupPageModel,
  GroupViewOptions,
  GroupViews,
  WebSender,
} from "../../../src/web/model";

/**
 * In-memory stand-ins for the engine's group and cart views, for tests of the pages alone: they
 * record each call (to check access counting and senders) and let a test add members.
 */
export class FakeGroups implements GroupViews {
  readonly groups = new Map<string, GroupPageModel>();
  readonly calls: { code: string; options: GroupViewOptions }[] = [];
  /** member token → display name, for `?m=`. */
  readonly tokens = new Map<
    string,
    { code: string; displayName: string; joined: boolean; unreachable?: boolean }
  >();

  add(group: GroupPageModel): GroupPageModel {
    this.groups.set(group.code, group);
    return group;
  }

  join(code: string, displayName: string, platform: Platform = "telegram"): void {
    const group = this.groups.get(code);
    if (!group) throw new Error(`no group ${code}`);
    group.members.push({ displayName, platform });
    group.memberCount = group.members.length;
    if (group.memberCount >= group.cap) group.state = "completed";
  }

  /** When set, every view throws it (the database down). */
  failure: Error | undefined;

  async view(code: string, options: GroupViewOptions): Promise<GroupPageModel | undefined> {
    this.calls.push({ code, options });
    if (this.failure) throw this.failure;
    const group = this.groups.get(code.toUpperCase());
    if (!group) return undefined;
    const member = options.memberToken ? this.tokens.get(options.memberToken) : undefined;
    if (!member || member.code !== group.code) return structuredClone(group);
    return {
      ...structuredClone(group),
      you: {
        displayName: member.displayName,
        joined: member.joined,
        orders: member.joined ? [{ sku: group.product.sku, name: group.product.name, qty: 1 }] : [],
        unreachable: member.unreachable ?? false,
      },
    };
  }

  /** The export is tested over the engine (test/web/orders-export.test.ts); here no token opens one. */
  async orders(): Promise<undefined> {
    return undefined;
  }
}

export class FakeCarts implements CartViews {
  readonly outcomes = new Map<string, CartPageOutcome>();
  readonly calls: { code: string; sender: WebSender }[] = [];

  async viewByCode(code: string, sender: WebSender): Promise<CartPageOutcome> {
    this.calls.push({ code, sender });
    return (
      this.outcomes.get(code) ?? { kind: "not_found", message: "No cart has that session code.", delayMs: 0 }
    );
  }
}

export function sampleGroup(overrides: Partial<GroupPageModel> = {}): GroupPageModel {
  return {
    code: "7KQ3M9XPT2VAB",
    state: "open",
    product: { sku: "KB-75", name: "75% keyboard kit", price: 12900, currency: "EUR" },
    tiers: [
      { members: 3, percentOff: 10 },
      { members: 5, percentOff: 20 },
    ],
    memberCount: 2,
    target: 3,
    cap: 6,
    expiresAt: new Date("2026-01-03T12:00:00Z"),
    organiser: { displayName: "Olivia", platform: "discord" },
    members: [
      { displayName: "Alice", platform: "discord" },
      { displayName: "Bob", platform: "slack" },
    ],
    ...overrides,
  };
}

export function sampleCart(overrides: Partial<CartPageModel> = {}): CartPageModel {
  return {
    code: "20260101120000000042-AbCdEfGhIjKlMnOpQrStUvWx",
    lines: [
      { sku: "KB-75", name: "75% keyboard kit", qty: 1, unitPrice: 12900, lineTotal: 12900, currency: "EUR" },
      { sku: "KC-SET", name: "Keycap set (PBT)", qty: 2, unitPrice: 4500, lineTotal: 9000, currency: "EUR" },
    ],
    totals: [{ currency: "EUR", amount: 21900 }],
    expiresAt: new Date("2026-01-01T12:30:00Z"),
    ...overrides,
  };
}
