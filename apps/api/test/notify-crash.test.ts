import { describe, expect, it } from "vitest";
import { waitFor } from "@gradphoto/testkit";
import { enqueueReviewNotification } from "../src/jobs/notify.js";
import { workerProcessFixture } from "./worker-process.js";

const fx = workerProcessFixture("崩溃测试大学");
const { db, approved, startWorkerProcess, survivor } = fx;

/** Starts a worker process, lets WeChat accept the message but hold its answer, and kills the worker with SIGKILL. */
async function crashMidSend(openid: string, submissionId: string) {
  fx.fake.miniProgram.delayNextAcceptedAnswers(1, 120_000);
  const w = startWorkerProcess();
  const id = (await enqueueReviewNotification(fx.deps, submissionId))!;
  try {
    await waitFor(() => fx.fake.miniProgram.sentMessages.some((m) => m.toUser === openid), { timeoutMs: 60_000, what: `WeChat to receive the send (worker: ${w.err()})` });
  } finally {
    w.child.kill("SIGKILL");
  }
  await w.exited;
  const row = await db.notification.findUniqueOrThrow({ where: { id } });
  // the crash window: WeChat delivered it, our record does not know
  expect(row).toMatchObject({ status: "PENDING", attempts: 1 });
  expect(row.sendStartedAt).not.toBeNull();
  return { id, killedAt: Date.now() };
}

describe("订阅消息 across a worker killed mid-send (real worker process, SIGKILL)", () => {
  it("the survivor finds the unconfirmed attempt: WeChat's 43101 makes it MAYBE_SENT (not FAILED), delivered once, within seconds", async () => {
    const g = await approved(1);
    const { id, killedAt } = await crashMidSend(g.openid, g.submissionId);
    const other = await survivor();
    const n = await waitFor(async () => {
      const r = await db.notification.findUniqueOrThrow({ where: { id } });
      return r.status !== "PENDING" ? r : null;
    }, { timeoutMs: 90_000, what: "the notification to settle" }).finally(() => other.stop({ graceful: false, timeoutMs: 1000 }));
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(`notification settled ${seconds.toFixed(1)} s after kill -9 of its worker`);
    expect(n.status).toBe("MAYBE_SENT");
    expect(n.lastError).toMatch(/^43101/);
    expect(fx.fake.miniProgram.sentMessages.filter((m) => m.toUser === g.openid)).toHaveLength(1);
    expect(await db.subscriptionGrant.count({ where: { wechatUser: { openid: g.openid }, usedAt: null } })).toBe(0);
    expect(seconds).toBeLessThan(45); // liveness window 15 s + sweep; it was 300 s expiry + sweep + backoff
  }, 180_000);

  it("with a second subscription it is not resent (that would deliver a second copy): MAYBE_SENT for staff", async () => {
    const g = await approved(2);
    const attemptsBefore = fx.fake.miniProgram.sendAttempts;
    const { id } = await crashMidSend(g.openid, g.submissionId);
    const other = await survivor();
    const n = await waitFor(async () => {
      const r = await db.notification.findUniqueOrThrow({ where: { id } });
      return r.status !== "PENDING" ? r : null;
    }, { timeoutMs: 90_000, what: "the notification to settle" }).finally(() => other.stop({ graceful: false, timeoutMs: 1000 }));
    expect(n.status).toBe("MAYBE_SENT");
    expect(fx.fake.miniProgram.sendAttempts - attemptsBefore).toBe(1);
    expect(fx.fake.miniProgram.sentMessages.filter((m) => m.toUser === g.openid)).toHaveLength(1);
  }, 180_000);
});
