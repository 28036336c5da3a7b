import { describe, expect, it } from "@jest/globals";
import { Decimal128, Long } from "bson";
import { keyOf } from "../bson-values";
import { matchDocs } from "../query/plan";
import { IndexSpec } from "../storage/index-spec";
import { Store } from "../storage/store";
import { CollectionView } from "../storage/view";

/** The store's planner (not a MongoDB conformance check): equality on an indexed field reads the index, not the collection. */
function collectionWith(n: number) {
  const store = new Store();
  const coll = store.create("plan", "users");
  coll.addIndex(new IndexSpec({ key: { email: 1 }, name: "email_1", unique: true }));
  coll.addIndex(new IndexSpec({ key: { group: 1, role: 1 }, name: "group_role" }));
  for (let i = 0; i < n; i++)
    coll.insertChecked(
      { _id: i, email: `u${i}@x`, group: `g${i % 10}`, role: i % 2 ? "a" : "b" },
      store.nextSeq(),
    );
  const view = new CollectionView(store, coll);
  let scans = 0;
  const all = view.all.bind(view);
  view.all = () => {
    scans += 1;
    return all();
  };
  return { view, scans: () => scans };
}

describe("secondary index use", () => {
  it("finds by an indexed field without scanning the collection", () => {
    const { view, scans } = collectionWith(1000);
    expect(matchDocs(view, { email: "u500@x" }).map(([, d]) => d._id)).toEqual([500]);
    expect(matchDocs(view, { email: { $eq: "u7@x" }, group: "g7" }).map(([, d]) => d._id)).toEqual([7]);
    expect(matchDocs(view, { group: "g3", role: "a" })).toHaveLength(100);
    expect(matchDocs(view, { _id: { $in: [1, 2, 2000] } })).toHaveLength(2);
    expect(scans()).toBe(0);
  });

  it("scans when no index covers the filter", () => {
    const { view, scans } = collectionWith(10);
    expect(matchDocs(view, { role: "a" })).toHaveLength(5);
    expect(scans()).toBe(1);
  });

  it("keys equal numbers of every BSON type alike, so an index lookup finds them whatever type the query uses", () => {
    expect(keyOf(5)).toBe(keyOf(Long.fromNumber(5)));
    expect(keyOf(5)).toBe(keyOf(Decimal128.fromString("5.00")));
    expect(keyOf(Decimal128.fromString("1.50"))).toBe(keyOf(1.5));
    expect(keyOf(1.5)).not.toBe(keyOf(15));
  });
});
