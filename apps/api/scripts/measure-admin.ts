/**
 * Measures the two heavy staff operations end to end over HTTP, with the background workers, on the
 * same database `npm start` uses (embedded PGlite in a temporary folder; DATABASE_URL to use PostgreSQL):
 *   1. importing a 10,000-row roster XLSX (upload + row-by-row validation, then the import job with progress)
 *   2. exporting 1,000 approved graduates (ZIP of standardised + print photos and an XLSX manifest)
 *
 *   npx tsx apps/api/scripts/measure-admin.ts [--rows 10000] [--graduates 1000] [--synthetic]
 * (--synthetic: large generated photos instead of the small development set, an upper bound on archive size)
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { unzipSync } from "fflate";
import sharp from "sharp";
import { hash } from "@node-rs/argon2";
import { loadConfig } from "@gradphoto/config";
import { buildApp } from "../src/app.js";
import { createRuntime } from "../src/runtime.js";

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const ROWS = arg("rows", 10_000);
const GRADUATES = arg("graduates", 1_000);

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idNumber = (i: number) => {
  const day = new Date(Date.UTC(1998, 0, 1) + Math.floor(i / 900) * 86400_000);
  const base = `110101${day.toISOString().slice(0, 10).replace(/-/g, "")}${String(100 + (i % 900)).padStart(3, "0")}`;
  return base + "10X98765432"[[...base].reduce((n, d, k) => n + Number(d) * W[k]!, 0) % 11];
};
const SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗";
const GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "子涵", "思远", "晓彤"];
const COLLEGES = [["计算机学院", "软件工程"], ["计算机学院", "人工智能"], ["经济管理学院", "会计学"], ["外国语学院", "英语"], ["机械工程学院", "机械设计"], ["文学院", "汉语言文学"], ["法学院", "法学"], ["医学院", "临床医学"]] as const;

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = (s: string) => process.stdout.write(`${s}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "gradphoto-measure-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({ ...process.env, NODE_ENV: "development", DATA_DIR: dataDir, PORT: String(port), PUBLIC_BASE_URL: url, LOG_LEVEL: "warn", RATE_LIMIT_PER_MINUTE: "100000" });
  const t0 = Date.now();
  const rt = await createRuntime(config, { workers: true });
  const app = await buildApp(rt.deps, { logger: false });
  await app.listen({ host: "127.0.0.1", port });
  const db = rt.deps.db;
  log(`database: ${rt.database.kind}${rt.database.kind === "embedded" ? " (PGlite, as npm start)" : ""}; ready in ${secs(Date.now() - t0)}`);

  const school = await db.school.create({ data: { code: "10998", name: "测量大学" } });
  const admin = await db.staffUser.create({ data: { username: `measure_${Date.now()}`, displayName: "测量", role: "SCHOOL_ADMIN", schoolId: school.id, passwordHash: await hash("measure-password-1") } });
  const login = await (await fetch(`${url}/api/staff/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: admin.username, password: "measure-password-1" }) })).json() as { token: string };
  const auth = { authorization: `Bearer ${login.token}` };
  const call = async (method: string, p: string, body?: FormData) => {
    const r = await fetch(url + p, { method, headers: auth, body });
    const j = (await r.json()) as Record<string, unknown>;
    if (r.status !== 200) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(j)}`);
    return j as any;
  };
  const campaign = (name: string) =>
    db.campaign.create({
      data: {
        schoolId: school.id, name, cohort: "2026届", status: "OPEN", opensAt: new Date(Date.now() - 3600_000), closesAt: new Date(Date.now() + 30 * 86400_000),
        feeFen: 2000, photoSpec: { output: { background: "blue", minKb: 20, maxKb: 40 } }, customerServicePhone: "400", customerServiceHours: "工作日", registrarContact: "学籍科", paymentContact: "pay@example.edu.cn",
        consentTexts: { create: { version: 1, text: "温馨提示" } },
      },
    });

  // ── 1. roster import ──
  const c1 = await campaign("名单导入测量");
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("名单");
  ws.addRow(["学信网唯一编号", "姓名", "身份证号", "手机号", "学院", "专业", "学历层次"]);
  for (let i = 0; i < ROWS; i++) {
    const [college, major] = COLLEGES[i % COLLEGES.length]!;
    ws.addRow([`2026109980${String(i).padStart(6, "0")}`, SURNAMES[i % SURNAMES.length]! + GIVEN[(i * 7) % GIVEN.length]!, idNumber(i), `139${String(i).padStart(8, "0")}`, college, major, i % 5 === 0 ? "硕士研究生" : "本科"]);
  }
  const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
  const form = () => {
    const f = new FormData();
    f.append("file", new Blob([new Uint8Array(xlsx)]), "名单.xlsx");
    return f;
  };
  log(`\n1) roster import: ${ROWS.toLocaleString("en")} rows, XLSX ${(xlsx.length / 1024 / 1024).toFixed(2)} MB`);
  let t = Date.now();
  const up = await call("POST", `/api/staff/campaigns/${c1.id}/roster-imports`, form());
  const tValidate = Date.now() - t;
  log(`   upload + row-by-row validation: ${secs(tValidate)} (valid ${up.report.validRows}, invalid ${up.report.invalidRows}, new ${up.report.newRows})`);
  t = Date.now();
  await call("POST", `/api/staff/roster-imports/${up.id}/confirm`);
  let last = -1;
  let job: any;
  for (;;) {
    job = await call("GET", `/api/staff/roster-imports/${up.id}`);
    const pct = job.total ? Math.floor((job.done / job.total) * 10) * 10 : 0;
    if (pct !== last) {
      log(`   progress ${String(job.done).padStart(6)} / ${job.total} (${pct}%) at ${secs(Date.now() - t)}`);
      last = pct;
    }
    if (job.status === "DONE" || job.status === "FAILED") break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const tApply = Date.now() - t;
  if (job.status !== "DONE") throw new Error(`import failed: ${JSON.stringify(job.report?.error)}`);
  log(`   import job: ${secs(tApply)} (inserted ${job.report.applied.inserted}, updated ${job.report.applied.updated}); roster now ${await db.rosterEntry.count({ where: { campaignId: c1.id } })} rows`);
  t = Date.now();
  const again = await call("POST", `/api/staff/campaigns/${c1.id}/roster-imports`, form());
  log(`   re-upload of the same file: ${secs(Date.now() - t)} → new ${again.report.newRows}, updated ${again.report.updatedRows}, unchanged ${again.report.unchangedRows} (idempotent)`);
  log(`   TOTAL upload → imported: ${secs(tValidate + tApply)}`);

  // ── 2. export ──
  const c2 = await campaign("导出测量");
  log(`\n2) export: ${GRADUATES.toLocaleString("en")} approved graduates`);
  const { standard, print, source } = await samplePhotos();
  log(`   photo per graduate: standard ${(standard.length / 1024).toFixed(0)} KB + print ${(print.length / 1024).toFixed(0)} KB (${source})`);
  t = Date.now();
  const reviewer = await db.staffUser.create({ data: { username: `measure_rev_${Date.now()}`, displayName: "审核员", role: "REVIEWER", schoolId: school.id, passwordHash: "x" } });
  const rows = Array.from({ length: GRADUATES }, (_, i) => ({ i, user: randomUUID(), entry: randomUUID(), sub: randomUUID(), photo: randomUUID() }));
  await db.wechatUser.createMany({ data: rows.map((r) => ({ id: r.user, openid: `measure-${r.user}` })) });
  await db.rosterEntry.createMany({ data: rows.map((r) => ({ id: r.entry, campaignId: c2.id, uniqueNumber: `2026109981${String(r.i).padStart(6, "0")}`, name: SURNAMES[r.i % SURNAMES.length]! + GIVEN[r.i % GIVEN.length]!, idNumberMasked: "110***********1234", college: COLLEGES[r.i % 8]![0], major: COLLEGES[r.i % 8]![1], degreeLevel: "本科", admissionPhotoStatus: "PRESENT" as const })) });
  await db.submission.createMany({ data: rows.map((r) => ({ id: r.sub, campaignId: c2.id, wechatUserId: r.user, rosterEntryId: r.entry, state: "APPROVED" as const, submittedPhotoId: r.photo, currentPhotoId: r.photo, submittedAt: new Date(), decidedAt: new Date() })) });
  await db.photo.createMany({ data: rows.map((r) => ({ id: r.photo, submissionId: r.sub, source: "CAMERA" as const, originalKey: `photos/${r.sub}/${r.photo}/original`, originalSha256: "0".repeat(64), originalBytes: 1, standardizedKey: `photos/${r.sub}/${r.photo}/standard.jpg`, printKey: `photos/${r.sub}/${r.photo}/print.jpg`, compliant: true })) });
  await db.comparison.createMany({ data: rows.map((r) => ({ submissionId: r.sub, photoId: r.photo, referenceKey: "admission/x.jpg", score: 85 + (r.i % 15), threshold: 80, passed: true, qualifying: true, modelId: "measure", calibrationVersion: "measure" })) });
  await db.review.createMany({ data: rows.map((r) => ({ submissionId: r.sub, photoId: r.photo, decision: "APPROVED" as const, reviewerId: reviewer.id })) });
  for (let k = 0; k < rows.length; k += 50) {
    await Promise.all(rows.slice(k, k + 50).flatMap((r) => [rt.deps.storage.put(`photos/${r.sub}/${r.photo}/standard.jpg`, standard), rt.deps.storage.put(`photos/${r.sub}/${r.photo}/print.jpg`, print)]));
  }
  log(`   (seeded ${GRADUATES} approved graduates with their photos in ${secs(Date.now() - t)}; not part of the measurement)`);
  t = Date.now();
  const ex = await call("POST", `/api/staff/campaigns/${c2.id}/exports`);
  last = -1;
  for (;;) {
    job = await call("GET", `/api/staff/exports/${ex.id}`);
    const pct = job.total ? Math.floor((job.done / job.total) * 10) * 10 : 0;
    if (pct !== last) {
      log(`   progress ${String(job.done).padStart(6)} / ${job.total} (${pct}%) at ${secs(Date.now() - t)}`);
      last = pct;
    }
    if (job.status === "DONE" || job.status === "FAILED") break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const tExport = Date.now() - t;
  if (job.status !== "DONE") throw new Error(`export failed: ${job.error}`);
  const link = await call("POST", `/api/staff/exports/${ex.id}/link`);
  t = Date.now();
  const zip = new Uint8Array(await (await fetch(link.url)).arrayBuffer());
  const tDownload = Date.now() - t;
  const files = Object.keys(unzipSync(zip, { filter: (f) => f.name === "manifest.xlsx" || f.name.startsWith("photos/00") }));
  log(`   export job: ${secs(tExport)}; archive ${(zip.length / 1024 / 1024).toFixed(1)} MB, downloaded in ${secs(tDownload)}; manifest present: ${files.includes("manifest.xlsx")}`);

  log(`\nSUMMARY  roster import ${ROWS} rows: ${secs(tValidate)} validation + ${secs(tApply)} import = ${secs(tValidate + tApply)}  |  export ${GRADUATES} graduates: ${secs(tExport)}`);
  await app.close();
  await rt.close();
  rmSync(dataDir, { recursive: true, force: true });
}

/** A real standardised photo and its print version when the development photos and models are present. */
async function samplePhotos(): Promise<{ standard: Buffer; print: Buffer; source: string }> {
  const shared = process.env.SHARED_DIR ?? path.resolve(import.meta.dirname, "../../../../shared");
  const manifest = path.join(shared, "testdata/faces/manifest.json");
  if (existsSync(manifest) && !process.argv.includes("--synthetic")) {
    try {
      const { standardize } = await import("@gradphoto/photo");
      const files = (JSON.parse(readFileSync(manifest, "utf8")) as { files: Array<{ path: string; width: number; height: number; labels: { expected_compliant: boolean } }> }).files;
      // The largest photos give print versions of realistic size.
      files.sort((a, b) => Math.min(b.width, b.height) - Math.min(a.width, a.height));
      for (const f of files.filter((x) => x.labels.expected_compliant && !x.path.startsWith("compliance/")).slice(0, 10)) {
        const r = await standardize(readFileSync(path.join(shared, "testdata/faces", f.path)));
        if (r.image && r.print) return { standard: r.image, print: r.print, source: "standardised from the development photos" };
      }
    } catch {
      /* fall through */
    }
  }
  const noise = (w: number, h: number, q: number) => sharp({ create: { width: w, height: h, channels: 3, background: "#64c5ff" } }).composite([{ input: { create: { width: w, height: h, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 120, sigma: 20 } } }, blend: "soft-light" }]).jpeg({ quality: q }).toBuffer();
  return { standard: await noise(480, 640, 50), print: await noise(1200, 1600, 70), source: "synthetic" };
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
