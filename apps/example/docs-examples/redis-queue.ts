// Jobs.md, "RedisQueue".
import { RedisQueue } from "@octo/redis-queue";
import { Redis } from "ioredis";

{
  const queue = new RedisQueue<User>("emails", redis);
  await queue.fill([user1, user2, user3]);

  // Or with async generator
  async function* getUsers() {
    for (const batch of largeUserList) {
      yield batch;
    }
  }
  await queue.fill(getUsers());

  await queue.work(
    async (user) => {
      await sendEmail(user);
    },
    logger,
    5, // Process 5 items in parallel
  );

  const count = await queue.length();
  const hadFailures = await queue.requeue();
  console.log(count, hadFailures);
}

// Standalone Usage
{
  const redis = new Redis();
  const queue = new RedisQueue<Order>("orders", redis, 3, "10s");

  // Producer
  await queue.fill(await getOrders());

  // Consumer
  await queue.work(
    async (order) => {
      await processOrder(order);
    },
    logger,
    10,
  );
}
