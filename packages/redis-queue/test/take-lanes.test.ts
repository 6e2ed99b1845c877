import { describe, expect, it } from "vitest";
import { TAKE_LANES, TakeLanes } from "../src/take-lanes";

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
  it("sends one take at a time until a take comes back full, then more beside it, one per lane", async () => {
    const { takes, sent } = lanes();
    takes.start(() => 10, 2);
    takes.start(() => 10, 2);
    expect(sent.map((s) => s.lane)).toEqual(["take:0"]);
    takes.answered(true);
    for (let i = 0; i < TAKE_LANES; i++) takes.start(() => 5, 2);
    // Every lane busy: no more.
    expect(sent.map((s) => [s.lane, s.size])).toEqual([
      ["take:0", 10],
      ...Array.from({ length: TAKE_LANES - 1 }, (_, i) => [`take:${i + 1}`, 5]),
    ]);
    expect(takes.requested).toBe(10 + 5 * (TAKE_LANES - 1));
    expect(takes.othersInFlight).toBe(true);
    // A take that comes back short ends the streaming: no take goes out beside those in flight.
    takes.answered(false);
    (sent[0] as { settle: () => void }).settle();
    await takes.settled();
    await turn();
    takes.start(() => 5, 2);
    expect(sent).toHaveLength(TAKE_LANES);
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
