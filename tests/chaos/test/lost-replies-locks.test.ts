import {
  type NodeProcess,
  startNodeProcess,
  startRedis,
  startTcpProxy,
  type TcpProxy,
  type TestRedis,
} from "@octo/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fixture, sleep, summary } from "./support";

const GROUP = "chaos-lost";
const LOCK_KEY = `octo:lock:{${GROUP}}`;
const CONTENDERS = 4;
const LOST_REPLIES = 20;

let redis: TestRedis;
let proxy: TcpProxy;
beforeAll(async () => {
  redis = await startRedis({ dedicated: true });
  proxy = await startTcpProxy(redis.port);
});
afterAll(async () => {
  await proxy?.close();
  await redis?.stop();
});

type LockCommand = "acquire" | "extend" | "release";

/** The arguments of one RESP request (`*<n>` then `$<len>` bulk strings), or [] for anything else. */
function respArgs(request: string): string[] {
  const header = /^\*(\d+)\r\n/.exec(request);
  if (!header) return [];
  const args: string[] = [];
  let at = header[0].length;
  for (let i = 0; i < Number(header[1]); i++) {
    const bulk = /^\$(\d+)\r\n/.exec(request.slice(at, at + 16));
    if (!bulk) return [];
    const start = at + bulk[0].length;
    args.push(request.slice(start, start + Number(bulk[1])));
    at = start + Number(bulk[1]) + 2;
  }
  return args;
}

/**
 * Which lock script a request runs, read from its shape (ioredis sends `evalsha <sha>`, or `eval
 * <script>` the first time a script runs on a connection): acquire and release name 3 keys
 * (lock, token, receipt), extend names 2; release has one argument more than acquire.
 */
function lockCommandOf(request: string): { command: LockCommand; owner: string } | undefined {
  const args = respArgs(request);
  if (args[0] !== "evalsha" && args[0] !== "eval") return undefined;
  if (args[3] !== LOCK_KEY) return undefined;
  if (args[2] === "2") return { command: "extend", owner: args[5] ?? "" };
  if (args[2] === "3" && args.length === 8) return { command: "acquire", owner: args[6] ?? "" };
  if (args[2] === "3" && args.length === 9) return { command: "release", owner: args[6] ?? "" };
  return undefined;
}

interface Figures {
  rounds: number;
  sections: number;
  "told-not-acquired-but-held": number;
  "told-lost": number;
  "extend-refused": number;
  "release-refused": number;
}

describe("lost replies, locks", () => {
  test(`${CONTENDERS} lock contenders, ${LOST_REPLIES} replies lost at random lock commands: nobody is told a wrong answer, no two hold at once`, async () => {
    const direct = redis.client();
    const url = `redis://127.0.0.1:${proxy.port}/${redis.db}`;
    const contenders: NodeProcess[] = Array.from({ length: CONTENDERS }, (_, id) =>
      startNodeProcess(fixture("lock-contender.ts"), { args: [url, String(id), GROUP] }),
    );
    const lost: Record<LockCommand, number> = { acquire: 0, extend: 0, release: 0 };
    let acquiresThatWon = 0;
    try {
      await Promise.all(contenders.map((c) => c.waitFor(/^ready$/)));
      await direct.set(`chaos:{${GROUP}}:go`, "1");
      // Most acquires find the lock held; to lose the replies of acquires that take it too, watch
      // whether the lock is free (a few ms stale at most) and pick acquires sent while it is.
      let lockFree = false;
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          lockFree = (await direct.exists(LOCK_KEY)) === 0;
          await sleep(2);
        }
      })();
      const kinds: LockCommand[] = ["acquire", "extend", "release"];
      for (let i = 0; i < LOST_REPLIES; i++) {
        // Each kind in turn, at a random one of the next requests of that kind from any contender.
        const wanted = kinds[i % kinds.length]!;
        const request = await proxy.loseNextReply(
          (text) =>
            lockCommandOf(text)?.command === wanted &&
            (wanted !== "acquire" || lockFree) &&
            Math.random() < 0.3,
        );
        const cut = lockCommandOf(request);
        if (cut) lost[cut.command]++;
        // The acquire reached Redis before its reply was lost: did it take the lock?
        if (cut?.command === "acquire" && (await direct.get(LOCK_KEY)) === cut.owner) acquiresThatWon++;
        await sleep(100 + Math.random() * 200);
      }
      watching = false;
      await watcher;
      await direct.set(`chaos:{${GROUP}}:stop`, "1");
      const lines = await Promise.all(contenders.map((c) => c.waitFor(/^done /, 60_000)));
      const figures = lines.map((line) => JSON.parse(line.slice("done ".length)) as Figures);
      const total = (key: keyof Figures) => figures.reduce((sum, f) => sum + f[key], 0);
      const counter = Number((await direct.get(`chaos:{${GROUP}}:counter`)) ?? 0);
      const overlaps = await direct.lrange(`chaos:{${GROUP}}:overlaps`, 0, -1);
      const stale = Number((await direct.get(`chaos:{${GROUP}}:stale`)) ?? 0);
      const wrongAnswers = contenders.flatMap((c) =>
        c
          .output()
          .split("\n")
          .filter((l) => l.startsWith("wrong answer")),
      );
      summary("lost-replies-locks", {
        contenders: CONTENDERS,
        "lost-replies": lost.acquire + lost.extend + lost.release,
        "lost-acquire": lost.acquire,
        "lost-acquire-won": acquiresThatWon,
        "lost-extend": lost.extend,
        "lost-release": lost.release,
        reconnects: proxy.accepted - CONTENDERS,
        rounds: total("rounds"),
        sections: total("sections"),
        counter,
        overlaps: overlaps.length,
        "stale-writes": stale,
        "told-not-acquired-but-held": total("told-not-acquired-but-held"),
        "told-lost": total("told-lost"),
        "extend-refused": total("extend-refused"),
        "release-refused": total("release-refused"),
      });
      expect(wrongAnswers).toEqual([]);
      expect(total("told-not-acquired-but-held")).toBe(0);
      expect(total("told-lost")).toBe(0);
      expect(total("extend-refused")).toBe(0);
      expect(total("release-refused")).toBe(0);
      // The fenced counter: every section counted once, none entered while another was inside,
      // none wrote with a token older than one already seen.
      expect(overlaps).toEqual([]);
      expect(stale).toBe(0);
      expect(counter).toBe(total("sections"));
      // The faults happened: every reply lost was a lock command's, of each kind, and at least
      // one lost acquire had taken the lock.
      expect(lost.acquire + lost.extend + lost.release).toBe(LOST_REPLIES);
      expect(Math.min(lost.acquire, lost.extend, lost.release)).toBeGreaterThan(0);
      expect(acquiresThatWon).toBeGreaterThan(0);
      expect(await Promise.all(contenders.map((c) => c.exited))).toEqual(contenders.map(() => 0));
    } finally {
      await Promise.all(contenders.map((c) => c.kill("SIGKILL")));
    }
  }, 180_000);
});
