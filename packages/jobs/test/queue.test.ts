import { spawn } from "node:child_process";
import path from "node:path";
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

  it("a worker process killed with SIGKILL mid-job: its job runs again elsewhere within seconds, logged with the job id", async () => {
    const schema = `jobs_${uniqueSuffix()}`;
    const name = `crash-${uniqueSuffix()}`;
    const job = defineJob({ name, schema: z.object({ n: z.number() }), retryLimit: 3, expireInSeconds: 5 });
    const logs: string[] = [];
    // default maintenance interval (30 s): recovery must not wait for pg-boss's own sweep
    const survivor = new JobQueue({ connectionString: testDatabaseUrl(), schema, pollingIntervalSeconds: 0.5, log: (m) => logs.push(m) });
    queues.push(survivor);
    await survivor.start();
    const id = await survivor.send(job, { n: 1 });
    const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "hanging-worker.ts"), testDatabaseUrl(), schema, name], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += String(d)));
    const exited = new Promise((r) => child.on("exit", r));
    try {
      await waitFor(() => out.includes(`started ${id}`), { timeoutMs: 45_000, what: "the child worker to take the job" });
    } finally {
      child.kill("SIGKILL");
    }
    await exited;
    const killedAt = Date.now();
    const attempts: number[] = [];
    await survivor.work(job, async (_p, ctx) => {
      attempts.push(ctx.attempt);
    });
    await waitFor(async () => (await survivor.getJob(job, id!))?.state === "completed", { timeoutMs: 60_000, what: "the job to complete" });
    const recoverySeconds = (Date.now() - killedAt) / 1000;
    console.log(`job recovery after kill -9: ${recoverySeconds.toFixed(1)} s (liveness window 5 s)`);
    expect(attempts).toEqual([2]);
    expect(recoverySeconds).toBeLessThan(15); // not pg-boss's sweep (30 s) plus its backoff
    expect(logs.some((l) => l.includes(id!) && l.includes("lost its worker"))).toBe(true);
  });

  it("a failing job is logged with its id, attempt and what happens next", async () => {
    const logs: string[] = [];
    const q = new JobQueue({ connectionString: testDatabaseUrl(), schema: `jobs_${uniqueSuffix()}`, pollingIntervalSeconds: 0.5, log: (m) => logs.push(m) });
    queues.push(q);
    await q.start();
    const job = defineJob({ name: `logged-${uniqueSuffix()}`, schema: Payload, retryLimit: 1, retryDelay: 1, retryBackoff: false });
    const id = await q.send(job, { photoId: crypto.randomUUID() });
    await q.work(job, async () => {
      throw new Error("upstream said no");
    });
    await waitFor(async () => (await q.getJob(job, id!))?.state === "failed");
    expect(logs).toEqual(
      expect.arrayContaining([
        `job ${job.name} ${id} failed on attempt 1/2: upstream said no; will retry`,
        `job ${job.name} ${id} failed on attempt 2/2: upstream said no; no retries left: moved to the dead-letter queue`,
      ]),
    );
  });

  it("a long job keeps its worker's heartbeat and is not taken away while it runs", async () => {
    const q = newQueue(`jobs_${uniqueSuffix()}`);
    await q.start();
    const job = defineJob({ name: `long-${uniqueSuffix()}`, schema: Payload, retryLimit: 2, expireInSeconds: 2 });
    const id = await q.send(job, { photoId: crypto.randomUUID() });
    const runs: number[] = [];
    await q.work(job, async (_p, ctx) => {
      runs.push(ctx.attempt);
      await new Promise((r) => setTimeout(r, 7000)); // 3.5× the liveness window
    });
    await waitFor(async () => (await q.getJob(job, id!))?.state === "completed", { timeoutMs: 30_000 });
    expect(runs).toEqual([1]);
  }, 40_000);
});
