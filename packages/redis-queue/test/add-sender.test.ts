import { describe, expect, it } from "vitest";
import { ADD_LANES, AddSender } from "../src/add-sender";

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A sender whose calls settle only when the test says, recording each call's items. */
function sender() {
  const sent: { key: string; values: string[]; answer: (statuses: string) => void }[] = [];
  const adds = new AddSender(
    "added:",
    (key, _call, args) =>
      new Promise<string>((resolve) => {
        // One group: delay, count, keyed, then the values (see scriptArgs).
        sent.push({ key, values: args.slice(3) as string[], answer: resolve });
      }),
  );
  const add = (value: string) =>
    adds.add({ delay: 0, keyed: false, values: [value], count: 1, batchSize: 100 });
  return { sent, add };
}

describe("add sender (pure)", () => {
  it("sends one free lane's share per event-loop turn, so the lanes' calls do not travel together", async () => {
    const { sent, add } = sender();
    const values = Array.from({ length: 2 * ADD_LANES }, (_, i) => `v${i}`);
    const answers = values.map(add);
    for (let lane = 1; lane <= ADD_LANES; lane++) {
      await turn();
      expect(sent).toHaveLength(lane);
    }
    // Shared evenly over the lanes that were free, in the order the adds were made.
    expect(sent.map((call) => call.values)).toEqual(
      Array.from({ length: ADD_LANES }, (_, i) => values.slice(2 * i, 2 * i + 2)),
    );
    expect(new Set(sent.map((call) => call.key)).size).toBe(ADD_LANES);
    for (const call of sent) call.answer("11");
    expect(await Promise.all(answers)).toEqual(values.map(() => "1"));
  });

  it("keeps what waits while every lane is busy, and sends it when a lane frees", async () => {
    const { sent, add } = sender();
    const first = Array.from({ length: ADD_LANES }, (_, i) => add(`a${i}`));
    for (let lane = 0; lane < ADD_LANES; lane++) await turn();
    expect(sent).toHaveLength(ADD_LANES);
    const late = add("late");
    await turn();
    expect(sent).toHaveLength(ADD_LANES);
    sent[0]?.answer("1");
    await first[0];
    await turn();
    expect(sent.map((call) => call.values)).toContainEqual(["late"]);
    sent.at(-1)?.answer("1");
    expect(await late).toBe("1");
  });
});
