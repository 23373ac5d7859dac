// A real worker process (`apps/api/src/worker.ts`) on its own queue schema and the fake WeChat, with an
// in-process survivor and approved graduates to notify: what the worker crash and shutdown drills share.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { loadConfig } from "@gradphoto/config";
import { JobQueue } from "@gradphoto/jobs";
import { LocalStorage } from "@gradphoto/storage";
import { MiniProgramClient } from "@gradphoto/wechat";
import { startFakeWechat, testDatabaseUrl, testDb, uniqueSuffix, type FakeWechat } from "@gradphoto/testkit";
import type { AppDeps } from "../src/context.js";
import { registerWorkers } from "../src/workers.js";

const root = path.resolve(import.meta.dirname, "../../..");
const TEMPLATE = "tpl-review-passed";

/** Registers the fixture's beforeAll/afterAll in the calling test file; `schoolName` labels its data. */
export function workerProcessFixture(schoolName: string) {
  const db = testDb();
  const jobsSchema = `jobs_${uniqueSuffix()}`;
  let fake!: FakeWechat;
  let deps!: AppDeps;
  let campaignId = "";

  beforeAll(async () => {
    fake = await startFakeWechat();
    fake.miniProgram.defineTemplate(TEMPLATE, ["thing1", "phrase2", "thing3", "time4"]);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "worker-process-"));
    const config = loadConfig({ NODE_ENV: "test", DATABASE_URL: testDatabaseUrl(), DATA_DIR: dataDir, LOG_LEVEL: "silent", JOBS_SCHEMA: jobsSchema });
    const jobs = new JobQueue({ connectionString: testDatabaseUrl(), schema: jobsSchema, pollingIntervalSeconds: 0.5 });
    await jobs.start();
    const storage = new LocalStorage({ root: path.join(dataDir, "objects"), publicBaseUrl: "http://127.0.0.1/files", signingSecret: config.signingSecret });
    deps = { config, db, storage, jobs, wechat: { mini: new MiniProgramClient(fake.miniProgram.clientOptions()) } };
    const suffix = uniqueSuffix();
    const school = await db.school.create({ data: { code: `8${suffix}`, name: `${schoolName}${suffix}` } });
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

  return {
    db,
    get fake(): FakeWechat {
      return fake;
    },
    get deps(): AppDeps {
      return deps;
    },

    /** An approved graduate who accepted the 订阅消息 `subscriptions` times (in WeChat and in our records). */
    async approved(subscriptions: number) {
      const { openid } = fake.miniProgram.issueLoginCode();
      const user = await db.wechatUser.create({ data: { openid } });
      const s = await db.submission.create({ data: { campaignId, wechatUserId: user.id, state: "APPROVED", consentVersion: 1 } });
      fake.miniProgram.grantSubscription(openid, TEMPLATE, subscriptions);
      for (let i = 0; i < subscriptions; i++) await db.subscriptionGrant.create({ data: { wechatUserId: user.id, templateId: TEMPLATE } });
      return { submissionId: s.id, openid };
    },

    /** The real worker entry point as its own process, on this fixture's queue schema and the fake WeChat. */
    startWorkerProcess() {
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
    },

    /** A surviving worker in this process, on the same queue, started after the other one stopped. */
    async survivor(): Promise<JobQueue> {
      const jobs = new JobQueue({ connectionString: testDatabaseUrl(), schema: jobsSchema, pollingIntervalSeconds: 0.5 });
      await jobs.start();
      await registerWorkers({ ...deps, jobs });
      return jobs;
    },
  };
}
