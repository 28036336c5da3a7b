import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Request, Response } from "express";

/**
 * The pages' CSS, script and icon, served from our own origin (the CSP allows nothing else). Each URL
 * carries a hash of the content, so a browser may keep it for a year and a deploy still takes effect.
 */
export interface Asset {
  url: string;
  type: string;
  body: Buffer;
}

const FILES = {
  style: { file: "style.css", type: "text/css; charset=utf-8" },
  script: { file: "group.js", type: "text/javascript; charset=utf-8" },
  icon: { file: "icon.svg", type: "image/svg+xml" },
} as const;

export type AssetName = keyof typeof FILES;
export type Assets = Record<AssetName, Asset> & { byUrl: Map<string, Asset> };

export const ASSET_PREFIX = "/assets/";

export function loadAssets(dir = join(__dirname, "assets")): Assets {
  const byUrl = new Map<string, Asset>();
  const entries = Object.entries(FILES).map(([name, { file, type }]) => {
    const body = readFileSync(join(dir, file));
    const hash = createHash("sha256").update(body).digest("base64url").slice(0, 12);
    const dot = file.lastIndexOf(".");
    const asset = { url: `${ASSET_PREFIX}${file.slice(0, dot)}.${hash}${file.slice(dot)}`, type, body };
    byUrl.set(asset.url, asset);
    return [name, asset] as const;
  });
  return { ...(Object.fromEntries(entries) as Record<AssetName, Asset>), byUrl };
}

/** `GET /assets/<name>.<hash>.<ext>`: immutable; any other name under /assets is a plain 404. */
export function serveAsset(assets: Assets) {
  return (req: Request, res: Response, next: () => void): void => {
    const asset = assets.byUrl.get(req.path);
    if (!asset) {
      next();
      return;
    }
    res
      .status(200)
      .set({
        "Content-Type": asset.type,
        "Cache-Control": "public, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
      })
      .send(asset.body);
  };
}
