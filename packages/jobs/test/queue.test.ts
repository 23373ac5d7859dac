import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { JobQueue, defineJob, InvalidJobPayloadError } from "@gradphoto/jobs";
import { testDatabaseUrl, uniqueSuffix, waitFor } from "@gradphoto/testkit";

const queues: JobQueue[] = [];
function newQueue(schema: string): JobQueue {
  const q = new JobQueue({ connectionString: testDatabaseUrl(), schema, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1 });
  queues.push(q);
  return q;
}
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop({ graceful: false, timeoutMs: 1000 }).catch(() => undefined)));
});

const Payload = z.object({ photoId: z.string().uuid() });

describe("job queue (pg-boss on the run's database)", () => {
  it("validates payloads before enqueueing", async () => {
    const q = newQueue(`jobs_${uniqueSuffix()}`);
    await q.start();
    const job = defineJob({ name: `check-${uniqueSuffix()}`, schema: Payload });
    await expect(q.send(job, { photoId: "not-a-uuid" })).rejects.toBeInstanceOf(InvalidJobPayloadError);
  });

  it("retries with backoff, then succeeds; singletonKey makes enqueueing idempotent", async () => {
    const q = newQueue(`jobs_${uniqueSuffix()}`);
    await q.start();
    const job = defineJob({ name: `flaky-${uniqueSuffix()}`, schema: Payload, retryLimit: 3, retryDelay: 1, retryBackoff: false });
    const attempts: number[] = [];
    const key = crypto.randomUUID();
    const id = await q.send(job, { photoId: key }, { singletonKey: key });
    expect(id).toBeTruthy();
    expect(await q.send(job, { photoId: key }, { singletonKey: key })).toBeNull();
    await q.work(job, async (_p, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt < 3) throw new Error("transient");
    });
    const done = await waitFor(async () => {
      const j = await q.getJob(job, id!);
      return j?.state === "completed" ? j : null;
    });
    expect(done.retryCount).toBe(2);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("moves a job whose retries are exhausted to the dead-letter queue", async () => {
    const q = newQueue(`jobs_${uniqueSuffix()}`);
    await q.start();
    const job = defineJob({ name: `doomed-${uniqueSuffix()}`, schema: Payload, retryLimit: 1, retryDelay: 1, retryBackoff: false });
    const id = await q.send(job, { photoId: crypto.randomUUID() });
    await q.work(job, async () => {
      throw new Error("permanent");
    });
    await waitFor(async () => (await q.getJob(job, id!))?.state === "failed");
    expect(await waitFor(async () => (await q.deadLetterCount(job)) >= 1 && true)).toBe(true);
  });

  it("a job survives a worker that dies mid-job: another worker process picks it up", async () => {
    const schema = `jobs_${uniqueSuffix()}`;
    const job = defineJob({ name: `survive-${uniqueSuffix()}`, schema: Payload, retryLimit: 3, retryDelay: 1, expireInSeconds: 2 });
    const first = newQueue(schema);
    await first.start();
    const id = await first.send(job, { photoId: crypto.randomUUID() });
    let startedOnFirst = false;
    await first.work(job, async () => {
      startedOnFirst = true;
      await new Promise(() => undefined); // hangs like a crashed worker
    });
    await waitFor(async () => startedOnFirst);
    await first.stop({ graceful: false, timeoutMs: 500 });

    const second = newQueue(schema);
    await second.start();
    const seen: number[] = [];
    await second.work(job, async (_p, ctx) => {
      seen.push(ctx.attempt);
    });
    const j = await waitFor(async () => {
      const r = await second.getJob(job, id!);
      return r?.state === "completed" ? r : null;
    }, { timeoutMs: 45_000 });
    expect(j.state).toBe("completed");
    expect(seen.length).toBe(1);
    expect(seen[0]).toBeGreaterThanOrEqual(2);
  });
});
