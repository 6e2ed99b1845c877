import type { Redis } from "ioredis";

/**
 * What README examples take from the reader's own service (its database, its mailer, a client it
 * already made) without showing it. Only complete examples use these; each package's quick start
 * (```ts run) is self-contained, because it runs.
 */
declare global {
  /** A client the reader created, as in the quick start above the example. */
  const redis: Redis;
  interface Order {
    id: number;
    total: number;
  }
  interface User {
    email: string;
  }
  const db: {
    deleteExpiredSessions(): Promise<void>;
    getActiveUsers(): Promise<User[]>;
  };
  const email: { send(to: string, subject: string): Promise<void> };
  function customers(): Promise<string[]>;
  function buildReport(customer: string): Promise<void>;
}
