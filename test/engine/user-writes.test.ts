import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose, { type Connection } from "mongoose";
import { UnavailableError } from "../../src/engine/errors";
import { dropConnection, freshDatabaseUri } from "../support/db";
import { engineOn, type Harness } from "./support/harness";

/** People who write to the bot at once are recorded together: a burst of newcomers is a few writes. */
describe("recording the people who write, in batches", () => {
  let connection: Connection;
  let h: Harness;
  /** The database commands sent to the users collection, in order. */
  const userCommands: string[] = [];
  beforeAll(async () => {
    connection = await mongoose
      .createConnection(freshDatabaseUri("user_writes"), { monitorCommands: true })
      .asPromise();
    connection.getClient().on("commandStarted", (event) => {
      if (event.command[event.commandName] === "users") userCommands.push(event.commandName);
    });
    h = await engineOn(connection);
  });
  afterAll(async () => {
    await dropConnection(connection);
  });
  const users = () => connection.collection("users");

  it("200 people writing at once cost one bulk write and one read, and each gets their own record", async () => {
    userCommands.length = 0;
    const docs = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        h.engine.users.touch({ platform: "slack", id: `T1:B${i}`, displayName: `Person ${i}` }),
      ),
    );
    expect(userCommands).toEqual(["update", "find"]);
    expect(docs.map((d) => [d._id, d.displayName])).toEqual(
      Array.from({ length: 200 }, (_, i) => [`slack:T1:B${i}`, `Person ${i}`]),
    );
    expect(await users().countDocuments({ _id: /^slack:T1:B/ as never, placeholder: false })).toBe(200);
  });

  it("one person alone costs one write, as before batching", async () => {
    userCommands.length = 0;
    await h.engine.users.touch({ platform: "slack", id: "T1:SOLO", displayName: "Solo" });
    expect(userCommands).toEqual(["findAndModify"]);
  });

  it("someone writing again while their first write is stored gets the newest name, stored next", async () => {
    const first = h.engine.users.touch({ platform: "slack", id: "T1:R1", displayName: "Rae" });
    const second = h.engine.users.touch({ platform: "slack", id: "T1:R1", displayName: "Rae Q." });
    const third = h.engine.users.touch({ platform: "slack", id: "T1:R2", displayName: "Rob" });
    // The first two went in one batch: both see the newest name.
    expect((await first).displayName).toBe("Rae Q.");
    expect((await second).displayName).toBe("Rae Q.");
    expect((await third).displayName).toBe("Rob");
    const late = h.engine.users.touch({ platform: "slack", id: "T1:R1", displayName: "Rae Later" });
    expect((await late).displayName).toBe("Rae Later");
    expect(await users().findOne({ _id: "slack:T1:R1" as never })).toMatchObject({
      displayName: "Rae Later",
    });
  });

  it("fills in a placeholder someone named, and serves the stored record (region included) from memory", async () => {
    await h.engine.users.ensure({ platform: "slack", id: "T1:P1", displayName: "named" });
    await users().updateOne({ _id: "slack:T1:P1" as never }, { $set: { region: "EU" } });
    h.engine.users.forget("slack:T1:P1");
    const [written] = await Promise.all([
      h.engine.users.touch({ platform: "slack", id: "T1:P1", displayName: "Pia" }),
      h.engine.users.touch({ platform: "slack", id: "T1:P2", displayName: "Pat" }),
    ]);
    expect(written).toMatchObject({ displayName: "Pia", placeholder: false, region: "EU" });
    userCommands.length = 0;
    expect((await h.engine.users.recentMany(["slack:T1:P1"])).get("slack:T1:P1")?.region).toBe("EU");
    expect(userCommands).toEqual([]);
  });

  it("a batch the database refuses fails its callers, and the next write records them", async () => {
    const uri = freshDatabaseUri("user_writes_down");
    const other = await mongoose.createConnection(uri).asPromise();
    const down = await engineOn(other);
    await other.close();
    const refused = await Promise.allSettled([
      down.engine.users.touch({ platform: "slack", id: "T1:D1" }),
      down.engine.users.touch({ platform: "slack", id: "T1:D2" }),
    ]);
    for (const outcome of refused) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(UnavailableError);
    }
    await other.openUri(uri);
    const again = await down.engine.users.touch({ platform: "slack", id: "T1:D1", displayName: "Dee" });
    expect(again).toMatchObject({ _id: "slack:T1:D1", displayName: "Dee" });
    await dropConnection(other);
  });
});
