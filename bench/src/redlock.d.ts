// redlock 5 beta ships types its package.json "exports" hides from moduleResolution Bundler;
// this is the part of its API the lock benchmark uses.
declare module "redlock" {
  import type { Redis } from "ioredis";
  export interface Lock {
    release(): Promise<unknown>;
  }
  export default class Redlock {
    constructor(clients: Redis[], settings?: { retryCount?: number });
    acquire(resources: string[], duration: number): Promise<Lock>;
  }
}
