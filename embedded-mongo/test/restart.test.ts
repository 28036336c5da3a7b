import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { MongoClient } from "mongodb";
import { startEmbeddedMongo } from "..";

const ROOT = join(__dirname, "..", "..");

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * A free port below the range the system hands out for port 0 and outgoing connections. Between a
 * stop and the restart at the same port, a busy machine's next outgoing connection or port-0
 * listener may take a freed ephemeral port (the restart then fails with EADDRINUSE); nobody is
 * given a port from below that range unless they ask for it.
 */
async function portOutsideEphemeralRange(): Promise<number> {
  const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").split(/\s+/)[0]);
  const below = Number.isInteger(low) && low > 2048 ? low : 32_768;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 1024 + Math.floor(Math.random() * (below - 1024));
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer().once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port below the ephemeral range");
}

/** The embedded store's own start/stop behaviour (a child process, as the app and the test run use it). */
describe("starting and stopping the embedded store", () => {
  it("comes back at the same address after a stop, and a connected client carries on", async () => {
    const first = await startEmbeddedMongo({ port: await portOutsideEphemeralRange() });
    // Generous: the driver finds the restarted store once its next check succeeds.
    const client = await new MongoClient(first.uri, { serverSelectionTimeoutMS: 60_000 }).connect();
    try {
      await client.db("restart").collection("c").insertOne({ before: true });
      await first.stop();
      const second = await startEmbeddedMongo({ port: first.port });
      try {
        expect(second.port).toBe(first.port);
        expect(second.uri).toBe(first.uri);
        await client.db("restart").collection("c").insertOne({ after: true });
        // A fresh process starts empty: the store keeps nothing across restarts.
        expect(await client.db("restart").collection("c").countDocuments()).toBe(1);
      } finally {
        await second.stop();
      }
    } finally {
      await client.close();
    }
  }, 120_000);

  it("runs in this process when asked to", async () => {
    const store = await startEmbeddedMongo({ inProcess: true });
    const client = await new MongoClient(store.uri).connect();
    try {
      expect((await client.db("admin").command({ ping: 1 })).ok).toBe(1);
    } finally {
      await client.close();
      await store.stop();
    }
  });

  it("stops serving when the process that started it is killed", async () => {
    const script = `require(${JSON.stringify(join(ROOT, "embedded-mongo"))}).startEmbeddedMongo().then((s) => console.log("PORT " + s.port));`;
    const parent = spawn(process.execPath, ["--import", "tsx", "-e", script], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      parent.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        const match = /PORT (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      parent.once("exit", () => reject(new Error(`parent exited early: ${out}`)));
    });
    expect(await accepts(port)).toBe(true);
    parent.kill("SIGKILL");
    let open = true;
    for (let i = 0; i < 60 && open; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      open = await accepts(port);
    }
    expect(open).toBe(false);
  }, 120_000);
});
