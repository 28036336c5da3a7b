import { mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, jest } from "@jest/globals";
import { freshDatabaseUri } from "../support/db";
import { spawnService, waitForLine } from "../support/spawn-service";

/** A port nothing listens on right now, for a process that must be reached before it says where. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.once("error", reject);
  });
}

// Each test starts a process: room for a cold tsx start on a busy machine, past spawnService's limit.
jest.setTimeout(120_000);

describe("the crowdcart process", () => {
  it("logs the port it picked for PORT=0 and stops cleanly on SIGTERM within 10 s", async () => {
    const service = await spawnService({ MONGODB_URI: freshDatabaseUri("proc") });
    expect(service.port).toBeGreaterThan(0);
    const res = await fetch(`${service.base}/healthz`);
    expect(res.status).toBe(200);
    service.child.kill("SIGTERM");
    // Exit code 0, not 1: the process exits 1 by itself when shutdown overruns its 10 s limit.
    expect(await service.exited).toBe(0);
    expect(service.output.join("\n")).toContain("shutting down");
  });

  it("is ready when it first says it is healthy: the very next command is answered", async () => {
    const port = await freePort();
    // Not awaited: /healthz is asked from the moment the process exists, before it says it listens.
    const starting = spawnService({ MONGODB_URI: freshDatabaseUri("proc"), PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    const statuses: number[] = [];
    for (;;) {
      const status = await fetch(`${base}/healthz`).then(
        (res) => res.status,
        () => 0, // not listening yet
      );
      statuses.push(status);
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const reply = await fetch(`${base}/playground/commands`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "ana", text: "/catalog" }),
    });
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as { text: string }).text).toContain("KB-75");
    // Only "not listening", "starting" and then "healthy": never healthy before ready.
    expect(statuses.every((status) => [0, 503, 200].includes(status))).toBe(true);
    const service = await starting;
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  });

  it("exits non-zero with one line naming a bad variable", async () => {
    await expect(spawnService({ SESSION_TTL: "soon" })).rejects.toThrow(
      /config: SESSION_TTL is not valid: expected a duration like 90s, 30m, 48h or 7d/,
    );
  });

  it("refuses to start in production without MONGODB_URI or an explicit DATA_DIR", async () => {
    await expect(spawnService({ NODE_ENV: "production", MONGODB_URI: "", DATA_DIR: "" })).rejects.toThrow(
      /config: MONGODB_URI is not valid: expected a MongoDB connection string, or DATA_DIR set/,
    );
  });

  it("runs production on the embedded store in an explicit DATA_DIR, and says it is one instance", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crowdcart-production-"));
    try {
      const service = await spawnService({ NODE_ENV: "production", MONGODB_URI: "", DATA_DIR: dir });
      service.child.kill("SIGTERM");
      expect(await service.exited).toBe(0);
      expect(service.output.join("\n")).toContain(
        `database: embedded store, data in ${dir}; one instance only (set MONGODB_URI to run more)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("never prints a secret it was given", async () => {
    const secret = "xoxb-very-secret-token-value";
    const service = await spawnService({
      MONGODB_URI: freshDatabaseUri("proc"),
      SLACK_SIGNING_SECRET: "signing-secret-0123456789",
      SLACK_BOT_TOKEN: secret,
      SLACK_API_URL: "http://127.0.0.1:9/api/",
    });
    // The start-up token check fails against a closed port and logs it: the line most likely to leak.
    await waitForLine(service, /auth\.test failed/);
    service.child.kill("SIGTERM");
    await service.exited;
    const printed = service.output.join("\n");
    expect(printed).not.toContain(secret);
    expect(printed).not.toContain("signing-secret-0123456789");
  });
});
