// The standalone worker (`pnpm worker`) on SIGTERM: stops taking jobs, hands back a handler that is still running,
// closes its pools and exits within the 10 s a proxy or orchestrator allows (it waited up to 20 s before).
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@gradphoto/config";
import { JobQueue } from "@gradphoto/jobs";
import { LocalStorage } from "@gradphoto/storage";
import { MiniProgramClient } from "@gradphoto/wechat";
import { startFakeWechat, testDatabaseUrl, testDb, uniqueSuffix, waitFor, type FakeWechat } from "@gradphoto/testkit";
import type { AppDeps } from "../src/context.js";
import { enqueueReviewNotification } from "../src/jobs/notify.js";
import { registerWorkers } from "../src/workers.js";

const root = path.resolve(import.meta.dirname, "../../..");
const TEMPLATE = "tpl-review-passed";
const db = testDb();
const jobsSchema = `jobs_${uniqueSuffix()}`;
let fake: FakeWechat;
let deps: AppDeps;
let campaignId: string;

beforeAll(async () => {
  fake = await startFakeWechat();
  fake.miniProgram.defineTemplate(TEMPLATE, ["thing1", "phrase2", "thing3", "time4"]);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "worker-shutdown-"));
  const config = loadConfig({ NODE_ENV: "test", DATABASE_URL: testDatabaseUrl(), DATA_DIR: dataDir, LOG_LEVEL: "silent", JOBS_SCHEMA: jobsSchema });
  const jobs = new JobQueue({ connectionString: testDatabaseUrl(), schema: jobsSchema, pollingIntervalSeconds: 0.5 });
  await jobs.start();
  const storage = new LocalStorage({ root: path.join(dataDir, "objects"), publicBaseUrl: "http://127.0.0.1/files", signingSecret: config.signingSecret });
  deps = { config, db, storage, jobs, wechat: { mini: new MiniProgramClient(fake.miniProgram.clientOptions()) } };
  const suffix = uniqueSuffix();
  const school = await db.school.create({ data: { code: `8${suffix}`, name: `停机测试大学${suffix}` } });
  const c = await db.campaign.create({
    data: {
      schoolId: school.id, name: "补采", cohort: "2026届", status: "OPEN", opensAt: new Date(Date.now() - 3600_000), closesAt: new Date(Date.now() + 86400_000),
      schoolPaid: true, photoSpec: { output: { background: "blue", minKb: 20, maxKb: 40 } }, customerServicePhone: "400-123-4567", customerServiceHours: "工作日",
      registrarContact: "学籍科", paymentContact: "财务处", notifyTemplates: { reviewPassed: TEMPLATE, reviewRejected: TEMPLATE },
    },
  });
  campaignId = c.id;
}, 120_000);

afterAll(async () => {
  await deps.jobs?.stop({ graceful: false, timeoutMs: 2000 });
  await fake.close();
});

/** An approved graduate who accepted the 订阅消息 `subscriptions` times (in WeChat and in our records). */
async function approved(subscriptions: number) {
  const { openid } = fake.miniProgram.issueLoginCode();
  const user = await db.wechatUser.create({ data: { openid } });
  const s = await db.submission.create({ data: { campaignId, wechatUserId: user.id, state: "APPROVED", consentVersion: 1 } });
  fake.miniProgram.grantSubscription(openid, TEMPLATE, subscriptions);
  for (let i = 0; i < subscriptions; i++) await db.subscriptionGrant.create({ data: { wechatUserId: user.id, templateId: TEMPLATE } });
  return { submissionId: s.id, openid };
}

/** The real worker entry point as its own process, on this file's queue schema and the fake WeChat. */
function startWorkerProcess() {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "apps/api/src/worker.ts")], {
    cwd: root,
    env: {
      ...process.env, NODE_ENV: "test", LOG_LEVEL: "warn", DATABASE_URL: testDatabaseUrl(), JOBS_SCHEMA: jobsSchema, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "worker-")),
      WECHAT_APPID: fake.miniProgram.appId, WECHAT_SECRET: fake.miniProgram.appSecret, WECHAT_API_BASE: fake.baseUrl,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d) => (err += String(d)));
  const exited = new Promise((r) => child.on("exit", r));
  return { child, exited, err: () => err };
}

/** A surviving worker in this process, on the same queue, started after the crash. */
async function survivor(): Promise<JobQueue> {
  const jobs = new JobQueue({ connectionString: testDatabaseUrl(), schema: jobsSchema, pollingIntervalSeconds: 0.5 });
  await jobs.start();
  await registerWorkers({ ...deps, jobs });
  return jobs;
}

describe("worker process on SIGTERM with a job in hand", () => {
  it("exits within 10 s and the job it held runs again in another worker", async () => {
    const g = await approved(1);
    // WeChat accepts the message but holds its answer: the handler is still running when the signal comes
    fake.miniProgram.delayNextAcceptedAnswers(1, 120_000);
    const w = startWorkerProcess();
    const id = (await enqueueReviewNotification(deps, g.submissionId))!;
    const attemptsBefore = fake.miniProgram.sendAttempts;
    try {
      await waitFor(() => fake.miniProgram.sentMessages.some((m) => m.toUser === g.openid), { timeoutMs: 60_000, what: `WeChat to receive the send (worker: ${w.err()})` });
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
    expect(fake.miniProgram.sendAttempts - attemptsBefore).toBe(2);
    expect(n.status).toBe("MAYBE_SENT");
    expect(fake.miniProgram.sentMessages.filter((m) => m.toUser === g.openid)).toHaveLength(1);
  }, 180_000);
});
