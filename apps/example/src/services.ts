import { injectable } from "inversify";

export interface User {
  id: number;
  email: string;
}

export interface Order {
  id: string;
  total: number;
}

/** Stands in for a user table. */
@injectable()
export class UserService {
  async activeUsers(): Promise<User[]> {
    return Array.from({ length: 5 }, (_, i) => ({ id: i + 1, email: `user${i + 1}@example.com` }));
  }
}

/** Stands in for an email provider; "sending" is a log line. */
@injectable()
export class EmailService {
  readonly sent: string[] = [];

  async send(to: string, subject: string): Promise<void> {
    this.sent.push(`${to}: ${subject}`);
  }
}

/** Stands in for an order table: a few pending orders each time it is asked. */
@injectable()
export class OrderService {
  private next = 1;

  async findPending(): Promise<Order[]> {
    return Array.from({ length: 3 }, () => {
      const id = `order-${this.next++}`;
      return { id, total: 10 * this.next };
    });
  }

  async process(_order: Order): Promise<void> {}
}
