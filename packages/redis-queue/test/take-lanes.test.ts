import { describe, expect, it } from "vitest";
import { TakeLanes } from "../src/take-lanes";

/** Lanes whose takes settle only when the test says, recording what each was sent with. */
function lanes() {
  const sent: { lane: string; size: number; atOnce: number; settle: () => void }[] = [];
  const takes = new TakeLanes(
    (lane, size, atOnce) =>
      new Promise<void>((resolve) => {
        sent.push({ lane, size, atOnce, settle: resolve });
      }),
  );
  return { takes, sent };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("take lanes (pure)", () => {
  it("sends one take at a time until a take comes back full, then a second beside it", async () => {
    const { takes, sent } = lanes();
    takes.start(() => 10, 2);
    takes.start(() => 10, 2);
    expect(sent.map((s) => s.lane)).toEqual(["take:0"]);
    takes.answered(true);
    takes.start(() => 5, 2);
    takes.start(() => 5, 2);
    // Both lanes busy: no third.
    expect(sent.map((s) => [s.lane, s.size])).toEqual([
      ["take:0", 10],
      ["take:1", 5],
    ]);
    expect(takes.requested).toBe(15);
    expect(takes.othersInFlight).toBe(true);
  });

  it("marks running at once only the waiting lanes no take in flight serves", () => {
    const { takes, sent } = lanes();
    takes.start(() => 10, 3);
    takes.answered(true);
    takes.start(() => 10, 5);
    expect(sent.map((s) => s.atOnce)).toEqual([3, 2]);
  });

  it("sends nothing when nothing is wanted, and frees a lane once its take settled, lowest first", async () => {
    const { takes, sent } = lanes();
    takes.start(() => 0, 1);
    expect(sent).toHaveLength(0);
    takes.start(() => 4, 1);
    takes.answered(true);
    takes.start(() => 4, 1);
    (sent[0] as { settle: () => void }).settle();
    await takes.settled();
    await turn();
    expect(takes.requested).toBe(4);
    takes.start(() => 4, 0);
    expect(sent.map((s) => s.lane)).toEqual(["take:0", "take:1", "take:0"]);
    for (const s of sent) s.settle();
    await takes.drain();
    expect(takes.requested).toBe(0);
    expect(takes.othersInFlight).toBe(false);
  });
});
