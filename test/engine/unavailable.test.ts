import { describe, expect, it } from "@jest/globals";
import { UnavailableError } from "../../src/engine/errors";
import { freshConnection } from "../support/db";
import { engineOn } from "./support/harness";

describe("database unreachable", () => {
  it("engine operations throw UnavailableError instead of a driver error", async () => {
    const connection = await freshConnection("down");
    const { engine } = await engineOn(connection);
    const key = (await engine.users.touch({ platform: "playground", id: "ann" }))._id;
    await connection.dropDatabase();
    await connection.close();
    await expect(engine.groups.open(key, "KB-75")).rejects.toBeInstanceOf(UnavailableError);
    await expect(engine.points.statement(key)).rejects.toBeInstanceOf(UnavailableError);
    await expect(engine.catalog.list()).rejects.toMatchObject({ code: "TEMPORARILY_UNAVAILABLE" });
  });
});
