import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

/** Debian's chromium (installed by `npm run browser:install`), or CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Why the browser tests skip here (they say so), or undefined when Chromium is there. */
export const chromiumMissing = existsSync(CHROMIUM_PATH)
  ? undefined
  : `no Chromium at ${CHROMIUM_PATH}: run \`npm run browser:install\` (Debian's chromium) or set CHROMIUM_PATH`;
// In CI a skipped browser suite would pass unseen: there it fails to load, with the same one line.
if (chromiumMissing && process.env.CI && process.env.CI !== "false") {
  throw new Error(`${chromiumMissing} (CI is set: the browser tests must run)`);
}

export const ARTIFACTS = join(__dirname, "..", "..", "..", "artifacts");

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
