import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { build } from "esbuild";
import { parse } from "yaml";
import { discordPlatform } from "../../adapters/discord/platform";
import { loadConfig } from "../../src/config";
import { settingsOf } from "../../src/platform";

/**
 * Docker cannot run here, so this checks what can be checked without it: the compose file parses
 * and wires a three-member replica set, its automatic initiation and two instances on it; the
 * Dockerfile's stages, user, health check and command; and that the image holds every file the
 * server loads. The README says how the images themselves were verified.
 */
const ROOT = join(__dirname, "..", "..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions in order, with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

/** Instructions grouped by stage (`FROM … AS name`). */
function stages(list: Instruction[]): Array<{ name: string; from: string; body: Instruction[] }> {
  const out: Array<{ name: string; from: string; body: Instruction[] }> = [];
  for (const instruction of list) {
    if (instruction.keyword === "FROM") {
      const [from = "", , name = ""] = instruction.args.split(/\s+/);
      out.push({ name, from, body: [] });
    } else out.at(-1)?.body.push(instruction);
  }
  return out;
}

describe("the Dockerfile", () => {
  const all = stages(instructions(read("Dockerfile")));
  const runtime = all.at(-1)!;
  const deps = all.find((stage) => stage.name === "deps");

  it("builds in two stages: production dependencies alone, then the runtime", () => {
    expect(all.map((stage) => stage.name)).toEqual(["deps", "runtime"]);
    expect(all.every((stage) => /^node:20[-.\w]*$/.test(stage.from))).toBe(true);
    const install = deps?.body.find((i) => i.keyword === "RUN")?.args ?? "";
    expect(install).toMatch(/npm ci --omit=dev\b/);
    const fromDeps = runtime.body.filter((i) => i.keyword === "COPY" && i.args.includes("--from=deps"));
    expect(fromDeps.map((i) => i.args.split(/\s+/).slice(-2).join(" "))).toEqual([
      "/app/node_modules ./node_modules",
    ]);
  });

  it("runs as a non-root user, checks /healthz, and stops on SIGTERM", () => {
    const users = runtime.body.filter((i) => i.keyword === "USER").map((i) => i.args);
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const health = runtime.body.find((i) => i.keyword === "HEALTHCHECK")?.args ?? "";
    expect(health).toContain("/healthz");
    expect(health).toMatch(/r\.ok \? 0 : 1/);
    expect(runtime.body.find((i) => i.keyword === "STOPSIGNAL")?.args).toBe("SIGTERM");
  });

  it("starts the server exactly as `npm start` does (node as PID 1, so it gets the SIGTERM)", () => {
    const cmd = JSON.parse(runtime.body.find((i) => i.keyword === "CMD")?.args ?? "[]") as string[];
    const start = (JSON.parse(read("package.json")) as { scripts: { start: string } }).scripts.start;
    expect(cmd).toEqual(start.split(" "));
  });

  const copies = all
    .flatMap((stage) => stage.body)
    .filter((i) => i.keyword === "COPY" && !i.args.includes("--from="))
    .flatMap((i) => {
      const words = i.args.split(/\s+/).filter((word) => !word.startsWith("--"));
      return words.slice(0, -1);
    });

  it("COPYs only files that exist and that .dockerignore lets through", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#") && !line.startsWith("!"));
    expect(copies.length).toBeGreaterThan(0);
    for (const source of copies) {
      expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
      expect({ source, ignored: ignored.includes(source) }).toEqual({ source, ignored: false });
    }
  });

  it("holds every local file the server and the embedded store load, and no tests or benchmarks", async () => {
    const result = await build({
      entryPoints: [join(ROOT, "src/main.ts"), join(ROOT, "embedded-mongo/server-entry.ts")],
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      packages: "external",
      outdir: "/nonexistent",
      logLevel: "silent",
    });
    const loaded = Object.keys(result.metafile.inputs).map((file) =>
      relative(ROOT, join(process.cwd(), file)),
    );
    // Files read at run time, next to the code that reads them.
    loaded.push("src/catalog/demo-catalog.json", "adapters/playground/public/app.js", "src/web/assets");
    const copied = copies.filter((source) => !source.endsWith(".json"));
    expect(loaded.length).toBeGreaterThan(100);
    expect(loaded).toContain("models/send-slot.ts");
    const outside = loaded.filter(
      (file) => !copied.some((dir) => file === dir || file.startsWith(`${dir}/`)),
    );
    expect(outside).toEqual([]);
    expect(loaded.filter((file) => /^(test|bench)\//.test(file))).toEqual([]);
  });
});

describe("compose.yaml", () => {
  const compose = parse(read("compose.yaml"), { merge: true }) as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
  };
  const { services } = compose;
  const members = ["mongo1", "mongo2", "mongo3"];
  const instances = ["crowdcart-1", "crowdcart-2"];

  it("names a three-member replica set, its one-shot initiation and two crowdcart instances", () => {
    expect(Object.keys(services).sort()).toEqual([...instances, "mongo-init", ...members].sort());
  });

  it("runs each member with --replSet rs0, a health check and a data volume of its own", () => {
    const volumes = new Set<string>();
    for (const name of members) {
      const member = services[name]!;
      expect(member.command).toEqual(["mongod", "--replSet", "rs0", "--bind_ip_all"]);
      expect((member.healthcheck as { test: string[] }).test.join(" ")).toContain("ping");
      const [volume] = (member.volumes as string[])[0]!.split(":");
      expect(Object.keys(compose.volumes)).toContain(volume);
      volumes.add(volume!);
    }
    expect(volumes.size).toBe(3);
  });

  it("initiates the set automatically once all three members are healthy", () => {
    const init = services["mongo-init"]!;
    expect(init.restart).toBe("no");
    expect(init.depends_on).toEqual(
      Object.fromEntries(members.map((m) => [m, { condition: "service_healthy" }])),
    );
    const script = (init.command as string[]).at(-1)!;
    expect(script).toContain("rs.initiate(");
    expect(script).toContain('_id: "rs0"');
    for (const m of members) expect(script).toContain(`host: "${m}:27017"`);
  });

  it("runs two instances on the set, on their own ports, health-checked on /healthz, with .env", () => {
    const ports = instances.map((name) => (services[name]!.ports as string[])[0]);
    expect(ports).toEqual(["3001:3000", "3002:3000"]);
    for (const name of instances) {
      const service = services[name]!;
      expect(service.build).toBe(".");
      expect(service.env_file).toEqual([{ path: ".env", required: false }]);
      expect(service.depends_on).toEqual({ "mongo-init": { condition: "service_completed_successfully" } });
      expect(service.stop_grace_period).toBe("15s");
      expect((service.healthcheck as { test: string[] }).test.join(" ")).toContain(
        "http://127.0.0.1:3000/healthz",
      );
      const env = service.environment as Record<string, string>;
      expect(env.PORT).toBe("3000");
      // mongodb://host1,host2,host3/db?options (several hosts: not a WHATWG URL).
      const [, hosts = "", query = ""] = /^mongodb:\/\/([^/]+)\/\w+\?(.*)$/.exec(env.MONGODB_URI ?? "") ?? [];
      expect(new URLSearchParams(query).get("replicaSet")).toBe("rs0");
      expect(hosts.split(",").sort()).toEqual(members.map((m) => `${m}:27017`));
    }
  });

  it("gives the instances settings crowdcart accepts, splitting the Discord gateway between them", () => {
    const shardIds: number[] = [];
    for (const name of instances) {
      const env = services[name]!.environment as Record<string, string>;
      const config = loadConfig(
        { ...env, DISCORD_APPLICATION_ID: "100000000000000001", DISCORD_BOT_TOKEN: "d".repeat(40) },
        "/nonexistent/.env",
      );
      expect(config.nodeEnv).toBe("production");
      const shards = settingsOf(config, discordPlatform).shards;
      expect(shards).toMatchObject({ count: 2 });
      if (shards && shards.count !== "auto") shardIds.push(...shards.ids);
    }
    expect(shardIds.sort()).toEqual([0, 1]);
  });
});
