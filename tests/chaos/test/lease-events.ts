/** One line of the queue-lease-worker fixture. */
export interface LeaseEvent {
  kind: "start" | "aborted" | "done";
  item: number;
  at: number;
  worker: number;
}

/** The events printed by each worker process (index = worker). */
export function leaseEvents(outputs: string[]): LeaseEvent[] {
  const events: LeaseEvent[] = [];
  outputs.forEach((output, worker) => {
    for (const m of output.matchAll(/^(start|aborted|done) (\d+) (\d+)\b.*$/gm)) {
      events.push({ kind: m[1] as LeaseEvent["kind"], item: Number(m[2]), at: Number(m[3]), worker });
    }
  });
  return events;
}

/**
 * Items that ran more than once where the earlier run's signal had not fired before the later run
 * started (or the earlier run was still going, undisturbed): each is a lease given to two workers
 * at once. Also counts the items started twice at all.
 */
export function doubleRuns(events: LeaseEvent[]): { twice: number; unexcused: number[] } {
  const starts = new Map<number, LeaseEvent[]>();
  const aborts = new Map<string, number>();
  for (const event of events) {
    if (event.kind === "start") starts.set(event.item, [...(starts.get(event.item) ?? []), event]);
    if (event.kind === "aborted") aborts.set(`${event.worker}:${event.item}`, event.at);
  }
  let twice = 0;
  const unexcused: number[] = [];
  for (const [item, runs] of starts) {
    if (runs.length < 2) continue;
    twice++;
    runs.sort((a, b) => a.at - b.at);
    for (let i = 1; i < runs.length; i++) {
      const earlier = runs[i - 1] as LeaseEvent;
      const abortedAt = aborts.get(`${earlier.worker}:${item}`);
      if (abortedAt === undefined || abortedAt > (runs[i] as LeaseEvent).at) unexcused.push(item);
    }
  }
  return { twice, unexcused };
}
