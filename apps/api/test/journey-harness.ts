import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import type { FastifyInstance } from "fastify";
import { devDemoKey, issueDemoCode } from "@gradphoto/capture-code";
import { loadConfig } from "@gradphoto/config";
import { maskIdNumber, maskName } from "@gradphoto/domain";
import { JobQueue } from "@gradphoto/jobs";
import { LocalStorage } from "@gradphoto/storage";
import { reservePort, startFakeWechat, testDb, testDatabaseUrl, testdataDir, uniqueSuffix, type FakeWechat, type FakeWechatOptions } from "@gradphoto/testkit";
import { MiniProgramClient, WechatPayClient } from "@gradphoto/wechat";
import { hash } from "@node-rs/argon2";
import { buildApp } from "../src/app.js";
import type { AppDeps } from "../src/context.js";
import { registerWorkers } from "../src/workers.js";

export const TEMPLATES = { reviewPassed: "tpl-review-passed", reviewRejected: "tpl-review-rejected" };

interface FaceFile {
  path: string;
  identity: string;
  labels: { expected_compliant: boolean; issues: string[]; faces: number; color?: string };
}
export const faceManifest = JSON.parse(readFileSync(testdataDir("faces", "manifest.json"), "utf8")) as { files: FaceFile[] };
export const facePath = (p: string) => testdataDir("faces", p);
export const faceBytes = (p: string) => readFileSync(facePath(p));
/**
 * A different file of the same picture and size: the JPEG with a numbered comment segment (COM) after
 * its SOI marker. For tests that need distinct uploads (the same file sent again right away is
 * answered from the first upload).
 */
export const jpegVariant = (jpeg: Buffer, n: number): Buffer =>
  Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xfe, 0x00, 0x06]), Buffer.from(String(n % 10000).padStart(4, "0")), jpeg.subarray(2)]);

export interface Journey {
  app: FastifyInstance;
  deps: AppDeps;
  url: string;
  fake: FakeWechat;
  jobs: JobQueue;
  schoolId: string;
  schoolCode: string;
  call(method: string, route: string, opts?: { body?: unknown; token?: string; form?: FormData }): Promise<{ status: number; body: any }>;
  campaign(opts?: { schoolPaid?: boolean; reviewMode?: "MANUAL" | "AUTOMATIC"; feeFen?: number; retakePolicy?: "PAY_AGAIN" | "CONTACT_SUPPORT"; repayAfterRefund?: boolean; photoSpec?: { output: Record<string, string | number> } }): Promise<string>;
  /** `admissionPhoto`: a path in the faces dev set, or the image itself */
  rosterEntry(campaignId: string, admissionPhoto: string | Buffer | null): Promise<{ uniqueNumber: string; name: string; idNumber: string; codeText: string; entryId: string }>;
  graduate(): Promise<{ token: string; openid: string }>;
  staff(role: "OPERATOR" | "SCHOOL_ADMIN" | "REVIEWER" | "CUSTOMER_SERVICE", schoolId?: string | null): Promise<{ token: string; id: string }>;
  /**
   * The next request matching `pattern` (tested against "METHOD /path?query") is carried out, and its
   * answer never reaches the client: the connection is cut as the answer is sent (a weak network, a
   * phone app sent to the background).
   */
  loseNextAnswer(pattern: RegExp): void;
}

/**
 * The real API on loopback with the run's database, a real job queue and workers, local storage, the
 * real photo and face models, and the fake WeChat (login, 订阅消息, Pay v3 with signed notifies).
 */
export interface JourneyOptions {
  /** register the development-only /api/dev routes (DEV_FAKE_WECHAT_URL → this fake), as `npm start` does */
  devRoutes?: boolean;
  /** browser origins allowed by CORS (e.g. the H5 build served by an end-to-end test) */
  corsOrigins?: string[];
  /** options of the fake WeChat (e.g. refunds completing by themselves, as in development) */
  fakeWechat?: FakeWechatOptions;
  /** further settings for the API's config (e.g. a small limit a test needs) */
  env?: Record<string, string>;
}

export async function startJourney(opts: JourneyOptions = {}): Promise<Journey> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "journey-"));
  const reserved = await reservePort();
  const port = reserved.port;
  const url = `http://127.0.0.1:${port}`;
  const fake = await startFakeWechat(opts.fakeWechat);
  const config = loadConfig({
    // the dev routes exist only in explicit development mode (as under npm start)
    NODE_ENV: opts.devRoutes ? "development" : "test", DATABASE_URL: testDatabaseUrl(), DATA_DIR: dataDir, LOG_LEVEL: "error", PORT: String(port), PUBLIC_BASE_URL: url, RATE_LIMIT_PER_MINUTE: "100000", LOGIN_RATE_LIMIT_PER_MINUTE: "1000",
    ...(opts.devRoutes ? { DEV_FAKE_WECHAT_URL: fake.baseUrl } : {}),
    ...(opts.corsOrigins ? { CORS_ORIGINS: opts.corsOrigins.join(",") } : {}),
    ...opts.env,
  });
  const db = testDb();
  const storage = new LocalStorage({ root: path.join(dataDir, "objects"), publicBaseUrl: `${url}/files`, signingSecret: config.signingSecret });
  fake.miniProgram.defineTemplate(TEMPLATES.reviewPassed, ["thing1", "phrase2", "thing3", "time4"]);
  fake.miniProgram.defineTemplate(TEMPLATES.reviewRejected, ["thing1", "phrase2", "thing3", "time4"]);
  const jobs = new JobQueue({ connectionString: testDatabaseUrl(), schema: `jobs_${uniqueSuffix()}`, pollingIntervalSeconds: 0.5, retryDelayOverrideSeconds: 1 });
  await jobs.start();
  const deps: AppDeps = { config, db, storage, jobs, wechat: { mini: new MiniProgramClient(fake.miniProgram.clientOptions()) } };
  // Errors (500s) are logged so a failing test shows the stack.
  const app = await buildApp(deps, { logger: { level: "error" } });
  const losing: RegExp[] = [];
  app.addHook("onSend", async (req, _reply, payload) => {
    const i = losing.findIndex((p) => p.test(`${req.method} ${req.url}`));
    if (i >= 0) {
      losing.splice(i, 1);
      req.raw.socket?.destroy(); // after the handler: its work is done, its answer is lost
    }
    return payload;
  });
  await reserved.release(); // held until now: the URL above is baked into the config and storage
  await app.listen({ host: "127.0.0.1", port });
  deps.wechat.pay = new WechatPayClient(fake.pay.clientOptions({ notifyUrl: `${url}/api/pay/notify` }));
  await registerWorkers(deps);
  afterAll(async () => {
    await app.close();
    await jobs.stop({ graceful: false, timeoutMs: 2000 });
    await fake.close();
  });

  const suffix = uniqueSuffix();
  const schoolCode = `9${parseInt(suffix, 16) % 10000}`.padEnd(5, "0");
  const school = await db.school.create({ data: { code: `${schoolCode}${suffix.slice(0, 3)}`, name: `测试大学${suffix}` } });
  let seq = 0;

  const j: Journey = {
    loseNextAnswer: (pattern) => void losing.push(pattern),
    app,
    deps,
    url,
    fake,
    jobs,
    schoolId: school.id,
    schoolCode: school.code,
    async call(method, route, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | FormData | undefined;
      if (opts.form) body = opts.form;
      else if (opts.body !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(opts.body);
      }
      const res = await fetch(url + route, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed };
    },
    async campaign(opts = {}) {
      const c = await db.campaign.create({
        data: {
          schoolId: school.id,
          name: `补采活动${++seq}`,
          cohort: "2026届",
          status: "OPEN",
          opensAt: new Date(Date.now() - 3600_000),
          closesAt: new Date(Date.now() + 30 * 24 * 3600_000),
          feeFen: opts.feeFen ?? (opts.schoolPaid ? 0 : 2000),
          schoolPaid: opts.schoolPaid ?? false,
          reviewMode: opts.reviewMode ?? "MANUAL",
          retakePolicy: opts.retakePolicy ?? "CONTACT_SUPPORT",
          repayAfterRefund: opts.repayAfterRefund ?? false,
          photoSpec: opts.photoSpec ?? { output: { background: "blue", minKb: 20, maxKb: 40 } },
          customerServicePhone: "400-123-4567",
          customerServiceHours: "工作日 9:00-17:00",
          registrarContact: "学籍科 022-0000000",
          paymentContact: "pay@example.edu.cn",
          notifyTemplates: TEMPLATES,
          consentTexts: { create: { version: 1, text: "温馨提示：请本人采集。" } },
        },
      });
      return c.id;
    },
    async rosterEntry(campaignId, admissionPhoto) {
      const n = ++seq;
      const uniqueNumber = `2026${school.code}${String(n).padStart(6, "0")}`.slice(0, 40);
      const name = ["张明", "李华", "王芳", "赵磊", "陈静"][n % 5]!;
      const idNumber = `1201011999010${String(1000 + n).slice(-4)}X`.slice(0, 18);
      let key: string | null = null;
      if (admissionPhoto) {
        key = `admission/${campaignId}/${uniqueNumber}.jpg`;
        await storage.put(key, typeof admissionPhoto === "string" ? faceBytes(admissionPhoto) : admissionPhoto);
      }
      const e = await db.rosterEntry.create({
        data: {
          campaignId,
          uniqueNumber,
          name,
          idNumberMasked: maskIdNumber(idNumber),
          college: "计算机学院",
          major: "软件工程",
          degreeLevel: "本科",
          admissionPhotoKey: key,
          admissionPhotoStatus: key ? "PRESENT" : "MISSING",
        },
      });
      const codeText = issueDemoCode(
        { uniqueNumber, maskedName: maskName(name), maskedIdNumber: maskIdNumber(idNumber), schoolCode: school.code, schoolName: school.name, degreeLevel: "本科" },
        devDemoKey(),
      );
      return { uniqueNumber, name, idNumber, codeText, entryId: e.id };
    },
    async graduate() {
      const { code, openid } = fake.miniProgram.issueLoginCode();
      const r = await j.call("POST", "/api/wx/login", { body: { code } });
      if (r.status !== 200) throw new Error(`login failed: ${JSON.stringify(r.body)}`);
      return { token: r.body.token as string, openid };
    },
    async staff(role, schoolId = school.id) {
      const username = `${role.toLowerCase()}_${uniqueSuffix()}`;
      const s = await db.staffUser.create({ data: { username, displayName: role, role, schoolId: role === "OPERATOR" ? null : schoolId, passwordHash: await hash("staff-password-1") } });
      const r = await j.call("POST", "/api/staff/login", { body: { username, password: "staff-password-1" } });
      return { token: r.body.token as string, id: s.id };
    },
  };
  return j;
}

/** Walks a graduate from login to the photo step (consent, code, payment or exemption). */
export async function toPhotoStep(j: Journey, campaignId: string, entry: { codeText: string }, opts: { pay?: boolean } = { pay: true }) {
  const g = await j.graduate();
  const start = await j.call("POST", `/api/campaigns/${campaignId}/submission`, { token: g.token });
  const id = start.body.id as string;
  await j.call("POST", `/api/submissions/${id}/consent`, { token: g.token, body: { version: 1, clientInfo: { platform: "test" } } });
  const preview = await j.call("POST", `/api/submissions/${id}/capture-code/scan`, { token: g.token, body: { text: entry.codeText } });
  if (preview.status !== 200) throw new Error(`scan failed: ${JSON.stringify(preview.body)}`);
  const confirm = await j.call("POST", `/api/submissions/${id}/capture-code/confirm`, { token: g.token, body: { codeToken: preview.body.codeToken } });
  if (confirm.status !== 200) throw new Error(`confirm failed: ${JSON.stringify(confirm.body)}`);
  let order: string | undefined;
  if (confirm.body.submission.state === "CODE_BOUND" && opts.pay !== false) {
    const o = await j.call("POST", `/api/submissions/${id}/orders`, { token: g.token });
    if (o.status !== 200) throw new Error(`order failed: ${JSON.stringify(o.body)}`);
    order = o.body.order.outTradeNo;
    const paid = await j.fake.pay.payOrder(order!);
    if (paid.delivery?.status !== 200) throw new Error(`notify failed: ${paid.delivery?.status} ${paid.delivery?.body}`);
  }
  return { ...g, submissionId: id, outTradeNo: order };
}

/** The school admin refunds the graduate's order in full from the console's route; returns the refund as the API answers. */
export async function refundOrder(j: Journey, submissionId: string, reason: string): Promise<{ status: string; [k: string]: unknown }> {
  const order = await j.deps.db.order.findFirstOrThrow({ where: { submissionId } });
  const admin = await j.staff("SCHOOL_ADMIN");
  const r = await j.call("POST", `/api/staff/orders/${order.id}/refunds`, { token: admin.token, body: { reason } });
  if (r.status !== 200) throw new Error(`refund failed: ${JSON.stringify(r.body)}`);
  return r.body;
}

export function photoForm(bytes: Buffer, name = "photo.jpg"): FormData {
  const f = new FormData();
  f.append("photo", new Blob([bytes], { type: "image/jpeg" }), name);
  return f;
}

/** Upload → standardise → submit; returns the submission view after submitting. */
export async function submitPhoto(j: Journey, token: string, submissionId: string, file: string | Buffer) {
  const up = await j.call("POST", `/api/submissions/${submissionId}/photos?source=CAMERA`, { token, form: photoForm(typeof file === "string" ? faceBytes(file) : file) });
  if (up.status !== 200 || !up.body.photo.compliant) throw new Error(`upload not accepted: ${JSON.stringify(up.body).slice(0, 800)}`);
  const photoId = up.body.photo.id as string;
  const st = await j.call("POST", `/api/submissions/${submissionId}/photos/${photoId}/standardize`, { token });
  if (st.status !== 200 || !st.body.photo.standardizedUrl) throw new Error(`standardize failed: ${JSON.stringify(st.body).slice(0, 800)}`);
  const sub = await j.call("POST", `/api/submissions/${submissionId}/submit`, { token, body: { photoId } });
  if (sub.status !== 200) throw new Error(`submit failed: ${JSON.stringify(sub.body)}`);
  return { photoId, submission: sub.body };
}

