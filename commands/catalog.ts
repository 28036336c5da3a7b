import type { CommandDefinition } from "../src/chat/command";
import { formatMoney } from "../src/format";

export const catalogCommand: CommandDefinition = {
  name: "catalog",
  description: "List the products with their prices and group discount tiers",
  visibility: "channel",
  replay: "read-only",
  examples: ["/catalog"],
  async run({ engine }) {
    const products = await engine.catalog.list();
    if (products.length === 0) return "The catalog is empty for now.";
    const lines = products.map((p) => {
      const tiers = p.tiers.map((t) => `${t.members}+ members −${t.percentOff}%`).join(", ");
      return `• ${p.sku} — ${p.name}: ${formatMoney(p.price, p.currency)}${tiers ? ` (groups: ${tiers})` : ""}`;
    });
    return ["Catalog (open a group with /groupbuy <sku> @friend):", ...lines].join("\n");
  },
};
