import { describe, expect, it } from "vitest";
import { goals } from "../src/report";
import type { ResultRow } from "../src/result";

const row = (id: string, ...values: number[]): ResultRow => ({
  scenario: "x",
  id,
  label: id,
  unit: "items/s",
  values,
});

/** The verdict of the one goal of `issue` whose text contains `text`. */
function verdict(rows: ResultRow[], issue: number, text: string): string {
  const found = goals(rows).filter((g) => g.issue === issue && g.goal.includes(text));
  expect(found).toHaveLength(1);
  return (found[0] as { verdict: string }).verdict;
}

describe("goals", () => {
  it("judges a rate ratio from the medians of the rounds", () => {
    const rows = [row("add.single.octo", 100, 300, 310), row("add.single.bullmq", 100, 90, 200)];
    expect(verdict(rows, 13, "single items")).toBe("met (3.00× BullMQ)");
    rows[0] = row("add.single.octo", 299);
    expect(verdict(rows, 13, "single items")).toBe("missed (2.99× BullMQ)");
  });

  it("judges the floor as at most 1.5× ours for issue 11 and 2× for issue 7", () => {
    // Ours as measured in turn with the floor, not the queue scenario's row.
    const rows = [row("floor.batch.p10", 180), row("floor.batch.p10.octo", 100), row("queue.p10.octo", 180)];
    expect(verdict(rows, 11, "floor at parallelism 10")).toBe("missed (floor is 1.80× ours)");
    expect(verdict(rows, 7, "floor at parallelism 10")).toBe("met (floor is 1.80× ours)");
    rows[0] = row("floor.batch.p10", 150);
    expect(verdict(rows, 11, "floor at parallelism 10")).toBe("met (floor is 1.50× ours)");
  });

  it("says a goal was not measured when a row is missing or has no number", () => {
    const rows = [
      row("add.batch100.octo", 1000),
      { ...row("add.batch100.bullmq"), notMeasured: "BullMQ did not load" },
    ];
    expect(verdict(rows, 13, "arrays of 100")).toBe("not measured");
    expect(verdict([], 11, "20× BullMQ at parallelism 1")).toBe("not measured");
  });
});
