// The standalone worker (`pnpm worker`) on SIGTERM: stops taking jobs, hands back a handler that is still running,
// closes its pools and exits within the 10 s a proxy or orchestrator allows (it waited up to 20 s before).
import { describe, expect, it } from "vitest";
import { waitFor } from "@gradphoto/testkit";
import { enqueueReviewNotification } from "../src/jobs/notify.js";
import { workerProcessFixture } from "./worker-process.js";

const fx = workerProcessFixture("停机测试大学");
const { db, approved, startWorkerProcess, survivor } = fx;

describe("worker process on SIGTERM with a job in hand", () => {
  it("exits within 10 s and the job it held runs again in another worker", async () => {
    const g = await approved(1);
    // WeChat accepts the message but holds its answer: the handler is still running when the signal comes
    fx.fake.miniProgram.delayNextAcceptedAnswers(1, 120_000);
    const w = startWorkerProcess();
    const id = (await enqueueReviewNotification(fx.deps, g.submissionId))!;
    const attemptsBefore = fx.fake.miniProgram.sendAttempts;
    try {
      await waitFor(() => fx.fake.miniProgram.sentMessages.some((m) => m.toUser === g.openid), { timeoutMs: 60_000, what: `WeChat to receive the send (worker: ${w.err()})` });
    } catch (e) {
      w.child.kill("SIGKILL");
      throw e;
    }
    const t0 = Date.now();
    w.child.kill("SIGTERM");
    const code = await Promise.race([w.exited, new Promise((r) => setTimeout(() => r("still running"), 15_000))]);
    const stopMs = Date.now() - t0;
    if (code === "still running") w.child.kill("SIGKILL");
    console.log(`worker process stopped ${stopMs} ms after SIGTERM with a job in hand`);
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(10_000);
    expect(w.err()).toMatch(/still running at shutdown: handed back to the queue/);
    expect(w.err()).toMatch(/shutdown complete/);
    // handed back, so another worker takes it up: its retry finds the unconfirmed attempt and settles it
    const other = await survivor();
    const n = await waitFor(async () => {
      const r = await db.notification.findUniqueOrThrow({ where: { id } });
      return r.status !== "PENDING" ? r : null;
    }, { timeoutMs: 90_000, what: "the handed-back notification to run again" }).finally(() => other.stop({ graceful: false, timeoutMs: 1000 }));
    console.log(`handed-back notification settled ${((Date.now() - t0) / 1000).toFixed(1)} s after SIGTERM`);
    expect(fx.fake.miniProgram.sendAttempts - attemptsBefore).toBe(2);
    expect(n.status).toBe("MAYBE_SENT");
    expect(fx.fake.miniProgram.sentMessages.filter((m) => m.toUser === g.openid)).toHaveLength(1);
  }, 180_000);
});
