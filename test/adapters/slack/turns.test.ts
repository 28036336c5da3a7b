import { describe, expect, it } from "@jest/globals";
import { Turns } from "../../../adapters/slack/listeners";

/** A task the test finishes when it chooses; `started` says whether Turns let it run yet. */
function heldTask() {
  let finish: () => void = () => {};
  const task = {
    started: false,
    finish: () => finish(),
    run: () =>
      new Promise<void>((resolve) => {
        task.started = true;
        finish = resolve;
      }),
  };
  return task;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("Slack command turns: all of steady traffic at once, a few at a time in a backlog", () => {
  it("runs up to the limit at once, then queues, and drains a backlog a few at a time in arrival order", async () => {
    const turns = new Turns(3, 1);
    const tasks = Array.from({ length: 6 }, heldTask);
    const done = tasks.map((task) => turns.run(task.run));
    await settle();
    expect(tasks.map((t) => t.started)).toEqual([true, true, true, false, false, false]);

    // While some wait, a finished task frees a place only once at most one runs.
    tasks[0]!.finish();
    await settle();
    expect(tasks.map((t) => t.started)).toEqual([true, true, true, false, false, false]);
    tasks[1]!.finish();
    await settle();
    expect(tasks.map((t) => t.started)).toEqual([true, true, true, false, false, false]);
    tasks[2]!.finish();
    await settle();
    expect(tasks.map((t) => t.started)).toEqual([true, true, true, true, false, false]);
    tasks[3]!.finish();
    await settle();
    expect(tasks[4]!.started).toBe(true);
    expect(tasks[5]!.started).toBe(false);

    // A newcomer queues behind those already waiting.
    const late = heldTask();
    const lateDone = turns.run(late.run);
    tasks[4]!.finish();
    await settle();
    expect(tasks[5]!.started).toBe(true);
    expect(late.started).toBe(false);
    tasks[5]!.finish();
    await settle();
    expect(late.started).toBe(true);

    // The queue is empty again: newcomers run at once, up to the limit.
    const next = Array.from({ length: 3 }, heldTask);
    const nextDone = next.map((task) => turns.run(task.run));
    await settle();
    expect(next.map((t) => t.started)).toEqual([true, true, false]);
    late.finish();
    for (const task of next) {
      await settle();
      task.finish();
    }
    await Promise.all([...done, lateDone, ...nextDone]);
    expect(next.every((t) => t.started)).toBe(true);
  });

  it("passes a task's result and failure through", async () => {
    const turns = new Turns(2, 1);
    await expect(turns.run(async () => 42)).resolves.toBe(42);
    await expect(turns.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    // A failed task gave its place back.
    await expect(Promise.all([turns.run(async () => 1), turns.run(async () => 2)])).resolves.toEqual([1, 2]);
  });
});
