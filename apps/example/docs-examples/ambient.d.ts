// The guide's examples use an application's own things (a database, an email service, domain
// types). They are declared here, as little as the examples need, so the examples type-check
// exactly as the guide prints them.

interface User {
  id: number;
  email: string;
}
interface Order {
  id: string;
}
interface Item {
  id: string;
}

declare const db: {
  getActiveUsers(): Promise<User[]>;
  orders: { findPending(): Promise<Order[]> };
  getRecords(offset: number, limit: number): Promise<{ id: number }[]>;
};
declare const emailService: { send(to: string, subject: string): Promise<void> };
declare class OrderService {
  findPending(): Promise<Order[]>;
  process(order: Order): Promise<void>;
}
declare class EmailService {
  sendConfirmation(order: Order): Promise<void>;
}
declare const redis: import("ioredis").Redis;
declare const logger: import("@octo/runner").Logger;
declare const processId: string;
declare const user1: User;
declare const user2: User;
declare const user3: User;
declare const largeUserList: User[][];
declare const externalAPI: { getData(): Promise<Item[]> };
declare function sendEmail(user: User): Promise<void>;
declare function getOrders(): Promise<Order[]>;
declare function processOrder(order: Order): Promise<void>;
declare function processItem(item: Item): Promise<void>;
declare function processLargeRecord(record: { id: number }): Promise<void>;
declare function alertTeam(reason: unknown): Promise<void>;
declare function cpuHeavyTask(item: unknown): Promise<void>;
declare function apiCall(item: unknown): Promise<void>;
