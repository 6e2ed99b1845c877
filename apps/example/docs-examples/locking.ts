// Jobs.md, "Distributed Locking". The guide imports these from the runner; they are also in
// @octo/redis-lock for use without the scheduler.
import { acquireLock, releaseLock } from "@octo/runner";

const lockAcquired = await acquireLock(redis, "critical-job", processId, "10m");

if (lockAcquired) {
  // Execute critical section
}

await releaseLock(redis, "critical-job", processId);
