import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { PLATFORMS } from "../adapters";

/**
 * The layers, checked on the source itself. From the bottom: the kernel (words every layer
 * shares), models, the engine, then the chat router and the commands, then the web pages, the
 * HTTP app and the configuration, then the adapters (each implementing `src/platform.ts`) and the
 * storefronts (each implementing `src/storefront/port.ts`), and the composition root
 * (`src/service.ts`) on top. Arrows only point down.
 */
const ROOT = join(__dirname, "..");
const FOLDERS = ["src", "commands", "models", "adapters"];
const PLATFORM_LIBRARIES = ["discord.js", "@discordjs/", "@slack/", "telegraf"];

interface SourceFile {
  /** Relative to the repository, e.g. `src/engine/index.ts`. */
  path: string;
  code: string;
  /** Project files it imports (type-only imports included), relative to the repository. */
  imports: string[];
  /** Package imports, as written. */
  packages: string[];
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "public") return [];
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** A relative import resolved to its file: `./x` is `x.ts` or `x/index.ts`. */
function resolveImport(from: string, target: string): string | undefined {
  const base = resolve(dirname(from), target);
  for (const candidate of [`${base}.ts`, join(base, "index.ts"), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(ROOT, candidate);
  }
  return undefined;
}

/** The code without its comments, so a comment naming a platform or a layer is not an arrow. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

const files: SourceFile[] = FOLDERS.flatMap((folder) => sources(join(ROOT, folder))).map((file) => {
  const code = withoutComments(readFileSync(file, "utf8"));
  const targets = [...code.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)"([^"]+)"/g)].map((m) => m[1]!);
  return {
    path: relative(ROOT, file),
    code,
    imports: targets.filter((t) => t.startsWith(".")).flatMap((t) => resolveImport(file, t) ?? []),
    packages: targets.filter((t) => !t.startsWith(".")),
  };
});

/** Files under `from` that import something under one of `to` (prefixes of repository paths). */
function arrows(from: string, to: string[]): string[] {
  return files
    .filter((file) => file.path.startsWith(from))
    .flatMap((file) =>
      file.imports.filter((target) => to.some((t) => target.startsWith(t))).map((t) => `${file.path} → ${t}`),
    );
}

describe("the architecture", () => {
  it("the kernel imports nothing of the project but itself", () => {
    expect(
      arrows("src/kernel/", ["src/", "models/", "commands/", "adapters/"]).filter(
        (a) => !a.includes("→ src/kernel/"),
      ),
    ).toEqual([]);
  });

  it("models import no engine, chat, commands, pages or adapters", () => {
    expect(arrows("models/", ["src/engine/", "src/chat/", "src/web/", "commands/", "adapters/"])).toEqual([]);
  });

  it("the engine imports no chat router, commands, pages or adapters", () => {
    expect(arrows("src/engine/", ["src/chat/", "src/web/", "commands/", "adapters/"])).toEqual([]);
  });

  it("the chat router and the engine import nothing from the layers above them (pages, HTTP app, configuration, composition)", () => {
    const above = [
      "src/web/",
      "src/app.ts",
      "src/server.ts",
      "src/config/",
      "src/platform.ts",
      "src/service.ts",
    ];
    expect([...arrows("src/chat/", above), ...arrows("src/engine/", above)]).toEqual([]);
  });

  it("the database layer imports no engine", () => {
    expect(arrows("src/db/", ["src/engine/", "src/chat/", "commands/", "adapters/"])).toEqual([]);
  });

  it("commands and the chat router import no adapter", () => {
    expect(arrows("commands/", ["adapters/"])).toEqual([]);
    expect(arrows("src/chat/", ["adapters/"])).toEqual([]);
  });

  it("an adapter imports no other adapter, nor the registry of them all", () => {
    const crossing = files
      .filter((file) => /^adapters\/[^/]+\//.test(file.path))
      .flatMap((file) => {
        const own = file.path.split("/")[1];
        return file.imports
          .filter((t) => t.startsWith("adapters/") && (t === "adapters/index.ts" || t.split("/")[1] !== own))
          .map((t) => `${file.path} → ${t}`);
      });
    expect(crossing).toEqual([]);
  });

  it("the engine knows a storefront only by its ports", () => {
    expect(
      arrows("src/engine/", ["src/storefront/"]).filter((a) => !a.endsWith("→ src/storefront/port.ts")),
    ).toEqual([]);
  });

  it("a storefront imports no other storefront, nor the registry, nor chat, commands or adapters", () => {
    const crossing = files
      .filter((file) => /^src\/storefront\/[^/]+\//.test(file.path))
      .flatMap((file) => {
        const own = file.path.split("/")[2];
        return file.imports
          .filter(
            (t) =>
              /^(src\/chat|commands|adapters)\//.test(t) ||
              t === "src/storefront/index.ts" ||
              (/^src\/storefront\/[^/]+\//.test(t) && t.split("/")[2] !== own),
          )
          .map((t) => `${file.path} → ${t}`);
      });
    expect(crossing).toEqual([]);
  });

  it("only a storefront's own folder loads its shop's library", () => {
    const libraries: Record<string, string> = {
      "@shopify/": "src/storefront/shopify/",
      "@medusajs/": "src/storefront/medusa/",
    };
    const outside = files.flatMap((file) =>
      file.packages
        .filter((p) =>
          Object.entries(libraries).some(([lib, home]) => p.startsWith(lib) && !file.path.startsWith(home)),
        )
        .map((p) => `${file.path} → ${p}`),
    );
    expect(outside).toEqual([]);
  });

  it("only adapters load a platform's library", () => {
    const outside = files
      .filter((file) => !file.path.startsWith("adapters/"))
      .flatMap((file) =>
        file.packages
          .filter((p) =>
            PLATFORM_LIBRARIES.some((lib) => p === lib || p.startsWith(lib.endsWith("/") ? lib : `${lib}/`)),
          )
          .map((p) => `${file.path} → ${p}`),
      );
    expect(outside).toEqual([]);
  });

  it("src/chat and src/engine name no platform, and nothing outside adapters/ branches on one", () => {
    const ids = PLATFORMS.map((platform) => platform.id).join("|");
    const named = new RegExp(`["'\`](${ids})["'\`:]`);
    const branch = new RegExp(`(case|[=!]==)\\s*["'\`](${ids})["'\`]|["'\`](${ids})["'\`]\\s*[=!]==`);
    const naming = files.filter((f) => /^src\/(chat|engine)\//.test(f.path) && named.test(f.code));
    const branching = files.filter((f) => !f.path.startsWith("adapters/") && branch.test(f.code));
    expect(naming.map((f) => f.path)).toEqual([]);
    expect(branching.map((f) => f.path)).toEqual([]);
  });

  it("has no import cycle", () => {
    const graph = new Map(files.map((file) => [file.path, file.imports]));
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const stack: string[] = [];
    const visit = (node: string): void => {
      state.set(node, "visiting");
      stack.push(node);
      for (const next of graph.get(node) ?? []) {
        if (state.get(next) === "visiting")
          cycles.push([...stack.slice(stack.indexOf(next)), next].join(" → "));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(node, "done");
    };
    for (const node of graph.keys()) if (!state.has(node)) visit(node);
    expect(cycles).toEqual([]);
  });
});
