import { hashTag } from "@octo/internal";

/**
 * The runner's documented keys that more than the runner reads or writes: the job set, each job's
 * hash and history, and the run requests. `@octo/runner`'s own key class extends this one.
 */
export class StateKeys {
  constructor(readonly prefix: string) {}

  /** Set of every job name any instance scheduled. */
  get jobs(): string {
    return `${this.prefix}:jobs`;
  }

  /** Hash: schedule, timezone, last run, counts by outcome. */
  job(name: string): string {
    return `${this.prefix}:job:${hashTag(name)}`;
  }

  /** List: the job's last `historyLimit` outcomes, JSON, newest recorded first. */
  history(name: string): string {
    return `${this.prefix}:history:${hashTag(name)}`;
  }

  /** List: the job's "run now" requests, JSON, taken by one running instance with `LPOP`. */
  runRequests(name: string): string {
    return `${this.prefix}:run-requests:${hashTag(name)}`;
  }

  /** Channel told a job's name when a run request for it is filed. */
  get runRequestsChannel(): string {
    return `${this.prefix}:run-requests`;
  }
}
