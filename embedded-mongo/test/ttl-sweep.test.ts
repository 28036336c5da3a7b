import { describe, expect, it } from "@jest/globals";
import { keyOf } from "../bson-values";
import { IndexSpec } from "../storage/index-spec";
import { Store } from "../storage/store";
import { sweepExpired } from "../ttl";

describe("TTL sweep", () => {
  it("removes a document by its date, or the earliest date of an array, and keeps the ones without a valid past date", () => {
    const now = 1_700_000_000_000;
    const store = new Store();
    const coll = store.create("db", "sessions");
    coll.addIndex(new IndexSpec({ key: { at: 1 }, name: "at_1", expireAfterSeconds: 10 }));
    const past = new Date(now - 11_000);
    const future = new Date(now + 60_000);
    const docs: Array<[string, unknown]> = [
      ["date-past", past],
      ["date-at-limit", new Date(now - 10_000)],
      ["date-future", future],
      ["array-with-past", [future, "x", past]],
      ["array-all-future", [future, future]],
      ["array-no-dates", ["x", 1]],
      ["empty-array", []],
      ["invalid-date", new Date(Number.NaN)],
      ["array-with-invalid", [new Date(Number.NaN), past]],
      ["string", "2020-01-01"],
      ["missing", undefined],
    ];
    for (const [id, at] of docs) coll.insertChecked(at === undefined ? { _id: id } : { _id: id, at }, 0);
    expect(sweepExpired(store, now)).toBe(3);
    expect([...coll.docs.keys()].sort()).toEqual(
      [
        "array-all-future",
        "array-no-dates",
        "array-with-invalid",
        "date-future",
        "empty-array",
        "invalid-date",
        "missing",
        "string",
      ]
        .map(keyOf)
        .sort(),
    );
  });
});
