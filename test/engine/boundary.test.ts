import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";

const PLATFORM_LIBRARIES = ["discord.js", "@slack/bolt", "@slack/web-api", "telegraf", "express"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("the engine is platform-free", () => {
  it("no file under src/engine or models imports a platform library or an adapter", () => {
    const root = join(__dirname, "..", "..");
    const offenders: string[] = [];
    for (const file of [...sources(join(root, "src", "engine")), ...sources(join(root, "models"))]) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/from\s+"([^"]+)"/g)) {
        const target = match[1] ?? "";
        if (PLATFORM_LIBRARIES.some((lib) => target === lib || target.startsWith(`${lib}/`))) {
          offenders.push(`${file}: ${target}`);
        }
        if (/(^|\/)(adapters|commands|src\/chat|chat)(\/|$)/.test(target))
          offenders.push(`${file}: ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
