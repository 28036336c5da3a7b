import { describe, expect, it } from "@jest/globals";
import { startEmbeddedMongo } from "../../embedded-mongo";
import { connectDatabase } from "../../src/db/database";

describe("database ping behind /healthz", () => {
  it("answers true while the store runs and false once it is gone", async () => {
    const store = await startEmbeddedMongo({ inProcess: true });
    const db = await connectDatabase(store.uri, "embedded");
    try {
      expect(await db.ping()).toBe(true);
      await store.stop();
      expect(await db.ping(500)).toBe(false);
    } finally {
      await db.close();
    }
  });

  it("keeps one ping at most waiting on a silent store, and answers again once it wakes", async () => {
    // A paused process keeps its connections open and says nothing: the hardest outage to see.
    const store = await startEmbeddedMongo();
    const db = await connectDatabase(store.uri, "embedded");
    const admin = db.connection.db!.admin.bind(db.connection.db);
    let sent = 0;
    db.connection.db!.admin = () => {
      const real = admin();
      const ping = real.ping.bind(real);
      real.ping = (...args: Parameters<typeof ping>) => {
        sent++;
        return ping(...args);
      };
      return real;
    };
    try {
      expect(await db.ping()).toBe(true);
      process.kill(store.pid!, "SIGSTOP");
      const before = sent;
      expect(await db.ping(200)).toBe(false);
      // Probes while that ping is still unanswered are told "no" without sending another.
      for (let i = 0; i < 5; i++) expect(await db.ping(200)).toBe(false);
      expect(sent - before).toBe(1);
      process.kill(store.pid!, "SIGCONT");
      let healthy = false;
      // Told "no" until the waiting ping is answered; then a fresh ping goes out.
      for (let i = 0; i < 200 && !healthy; i++) {
        healthy = await db.ping(1000);
        if (!healthy) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(healthy).toBe(true);
    } finally {
      process.kill(store.pid!, "SIGCONT");
      await db.close();
      await store.stop();
    }
  });
});
