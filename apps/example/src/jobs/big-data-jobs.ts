import { cron, job, query } from "@octo/runner";
import { inject } from "inversify";
import { RunRecorder } from "../recorder.js";
import { schedule } from "../schedule.js";

export interface DataRecord {
  id: number;
}

/** How many records the generator yields per tick, in batches of `BATCH`. */
const TOTAL = 200;
const BATCH = 50;

/**
 * An async-generator query: batches are streamed into the queue while workers on every
 * instance already take items, so memory stays bounded however many records there are.
 */
@cron("big-data")
export class BigDataJobs {
  @inject(RunRecorder.token) private readonly recorder!: RunRecorder;
  private processed = 0;

  @query("process-records")
  async *records(): AsyncGenerator<DataRecord[]> {
    for (let offset = 0; offset < TOTAL; offset += BATCH) {
      yield Array.from({ length: BATCH }, (_, i) => ({ id: offset + i }));
    }
  }

  @job("process-records", schedule("*/11 * * * * *", "0 3 * * *"), {
    maxComputeTime: schedule("1m", "6h"),
    parallelism: 4,
  })
  async processRecord(record: DataRecord): Promise<void> {
    this.processed++;
    if (record.id % BATCH === BATCH - 1) {
      console.log(
        `[big-data.process-records] async generator: record ${record.id} done (${this.processed} on this instance)`,
      );
    }
    await this.recorder.record("big-data.process-records", String(record.id));
  }
}
