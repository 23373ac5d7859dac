/**
 * Load benchmark: real photo uploads with quality checks against N API processes on loopback
 * (round-robin, like replicas behind a load balancer), bounded in time. Prints photos per second
 * sustained, error count and latency percentiles, with the number of API processes used.
 *
 *   pnpm bench:load [--seconds 20] [--concurrency 8] [--processes 2]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import sharp from "sharp";
import { createDb, migrate, startEmbeddedDatabase } from "@gradphoto/db";
import { hashToken } from "../src/lib/tokens.js";

const root = path.resolve(import.meta.dirname, "../../..");
const shared = process.env.SHARED_DIR ?? path.resolve(root, "..", "shared");

export interface LoadResult {
  processes: number;
  concurrency: number;
  seconds: number;
  photos: number;
  errors: number;
  photosPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  uploadBytes: number;
  /** resident memory (MB) of each kind of process: idle after start, and its peak (VmHWM) over the run */
  memory: Array<{ process: string; idleMb: number; peakMb: number }>;
}

/** VmRSS / VmHWM of a process in MB (Linux /proc; NaN elsewhere). */
function rssOf(pid: number | undefined): { rss: number; hwm: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? NaN);
    return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

async function waitReady(port: number): Promise<void> {
  for (let t = 0; ; t++) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    if (t > 240) throw new Error(`API on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/** A database for the run: a fresh one on the local PostgreSQL when reachable, else embedded PGlite. */
async function database(): Promise<{ url: string; kind: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: process.env.BENCH_PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres", connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
    const name = `gradphoto_bench_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = `postgresql://postgres@127.0.0.1:5432/${name}`;
    return {
      url,
      kind: "postgres",
      async drop() {
        const c = new pg.Client({ connectionString: "postgresql://postgres@127.0.0.1:5432/postgres" });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  } catch {
    await admin.end().catch(() => undefined);
    const e = await startEmbeddedDatabase({ dataDir: "memory://" });
    return { url: e.url, kind: "embedded", drop: () => e.stop() };
  }
}

/** Phone-like uploads: dev-set portraits labelled compliant, re-encoded at 3024×4032 (12 MP). */
async function phonePhotos(n: number): Promise<Buffer[]> {
  const manifest = JSON.parse(readFileSync(path.join(shared, "testdata/faces/manifest.json"), "utf8")) as { files: Array<{ path: string; width: number; labels: { expected_compliant: boolean } }> };
  const picks = manifest.files.filter((f) => f.labels.expected_compliant && f.width >= 500).slice(0, n);
  return Promise.all(picks.map((f) => sharp(readFileSync(path.join(shared, "testdata/faces", f.path))).resize(3024, 4032, { fit: "cover" }).jpeg({ quality: 88 }).toBuffer()));
}

export async function benchLoad(opts: { seconds?: number; concurrency?: number; processes?: number } = {}): Promise<LoadResult> {
  const seconds = opts.seconds ?? 20;
  const concurrency = opts.concurrency ?? 8;
  const processes = opts.processes ?? Math.max(1, os.availableParallelism());
  const db = await database();
  const children: ChildProcess[] = [];
  try {
    await migrate(db.url);
    const prisma = createDb(db.url, { poolMax: 4 });
    // Fixtures straight in the database: graduates logged in and paid, so the load is the upload path.
    const school = await prisma.school.create({ data: { code: `B${Date.now() % 100000}`, name: "压测大学" } });
    const campaign = await prisma.campaign.create({
      data: { schoolId: school.id, name: "压测", cohort: "2026届", status: "OPEN", opensAt: new Date(Date.now() - 3600_000), closesAt: new Date(Date.now() + 86400_000), schoolPaid: true, photoSpec: {}, customerServicePhone: "-", customerServiceHours: "-", registrarContact: "-", paymentContact: "-", consentTexts: { create: { version: 1, text: "-" } } },
    });
    const graduates: Array<{ token: string; submissionId: string }> = [];
    for (let i = 0; i < 200; i++) {
      const token = randomUUID().replace(/-/g, "") + randomUUID().replace(/-/g, "");
      const user = await prisma.wechatUser.create({ data: { openid: `bench_${i}_${Date.now()}` } });
      await prisma.session.create({ data: { tokenHash: hashToken(token), kind: "GRADUATE", wechatUserId: user.id, expiresAt: new Date(Date.now() + 3600_000) } });
      const s = await prisma.submission.create({ data: { campaignId: campaign.id, wechatUserId: user.id, state: "PAID", consentVersion: 1, paymentExempt: true } });
      graduates.push({ token, submissionId: s.id });
    }
    await prisma.$disconnect();

    const ports: number[] = [];
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-"));
    for (let i = 0; i < processes; i++) {
      const port = await freePort();
      ports.push(port);
      const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "apps/api/src/main.ts")], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: db.url, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: "warn", RATE_LIMIT_PER_MINUTE: "1000000", RUN_WORKERS: "false", NODE_ENV: "production", SIGNING_SECRET: "bench-signing-secret-0123456789abcdef", ID_ENCRYPTION_KEY: "0".repeat(64) },
        stdio: ["ignore", "ignore", "inherit"],
      });
      children.push(child);
    }
    for (const port of ports) await waitReady(port);
    // A worker process (jobs only, no HTTP) on the same database, and an API as `pnpm dev` runs it:
    // no DATABASE_URL, so PostgreSQL (PGlite, WebAssembly) runs inside the API process, with workers.
    const worker = spawn(process.execPath, ["--import", "tsx", path.join(root, "apps/api/src/worker.ts")], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: "warn", NODE_ENV: "production", SIGNING_SECRET: "bench-signing-secret-0123456789abcdef", ID_ENCRYPTION_KEY: "0".repeat(64), JOBS_SCHEMA: "bench_jobs" },
      stdio: ["ignore", "ignore", "ignore"],
    });
    children.push(worker);
    const devPort = await freePort();
    const devDir = mkdtempSync(path.join(os.tmpdir(), "bench-dev-"));
    const startDev = () =>
      spawn(process.execPath, ["--import", "tsx", path.join(root, "apps/api/src/main.ts")], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: "", PORT: String(devPort), DATA_DIR: devDir, LOG_LEVEL: "warn" },
        stdio: ["ignore", "ignore", "ignore"],
      });
    // first start creates the data directory (initdb costs more memory once); measure a restart, as in daily use
    const first = startDev();
    await waitReady(devPort);
    first.kill("SIGTERM");
    await new Promise((r) => first.on("exit", r));
    const devApi = startDev();
    children.push(devApi);
    await waitReady(devPort);
    await new Promise((r) => setTimeout(r, 3000)); // settle
    const idle = { api: rssOf(children[0]!.pid).rss, worker: rssOf(worker.pid).rss, dev: rssOf(devApi.pid).rss };
    const photos = await phonePhotos(6);
    // Warm-up: one upload per process loads the models.
    let next = 0;
    const upload = async (): Promise<{ ms: number; ok: boolean }> => {
      const i = next++;
      const g = graduates[i % graduates.length]!;
      const port = ports[i % ports.length]!;
      const form = new FormData();
      form.append("photo", new Blob([photos[i % photos.length]!], { type: "image/jpeg" }), "photo.jpg");
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/submissions/${g.submissionId}/photos?source=CAMERA`, { method: "POST", headers: { authorization: `Bearer ${g.token}` }, body: form }).catch(() => null);
      const body = res ? await res.text() : "";
      return { ms: performance.now() - t0, ok: res?.status === 200 && body.includes('"checks"') };
    };
    for (let i = 0; i < processes * 2; i++) await upload();

    const latencies: number[] = [];
    let errors = 0;
    const end = Date.now() + seconds * 1000;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const r = await upload();
          latencies.push(r.ms);
          if (!r.ok) errors++;
        }
      }),
    );
    const elapsed = (Date.now() - t0) / 1000;
    const apiPeak = Math.max(...children.slice(0, processes).map((c) => rssOf(c.pid).hwm));
    const memory = [
      { process: "API (external PostgreSQL, no workers)", idleMb: idle.api, peakMb: apiPeak },
      { process: "worker (external PostgreSQL)", idleMb: idle.worker, peakMb: rssOf(worker.pid).hwm },
      { process: "API as `pnpm dev` (embedded PGlite + workers), idle only", idleMb: idle.dev, peakMb: rssOf(devApi.pid).hwm },
    ];
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
    return {
      processes,
      concurrency,
      seconds: elapsed,
      photos: latencies.length,
      errors,
      photosPerSecond: latencies.length / elapsed,
      p50: q(0.5),
      p99: q(0.99),
      max: latencies.at(-1) ?? NaN,
      uploadBytes: Math.round(photos.reduce((n, p) => n + p.length, 0) / photos.length),
      memory,
    };
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1500));
    await db.drop().catch(() => undefined);
  }
}

export function formatLoad(r: LoadResult): string {
  return [
    `API load (photo upload + quality check, ${r.processes} API process(es), ${r.concurrency} concurrent clients, ${r.seconds.toFixed(1)} s, uploads ≈ ${(r.uploadBytes / 1e6).toFixed(1)} MB 12 MP JPEG)`,
    `  photos/s sustained  ${r.photosPerSecond.toFixed(1)}   (target ≥ 10)`,
    `  errors              ${r.errors} of ${r.photos}`,
    `  latency p50 / p99 / max   ${r.p50.toFixed(0)} / ${r.p99.toFixed(0)} / ${r.max.toFixed(0)} ms   (target p99 < 2000)`,
    "  RSS (MB)                  idle    peak",
    ...r.memory.map((m) => `    ${m.process.padEnd(60)} ${m.idleMb.toFixed(0).padStart(5)}  ${m.peakMb.toFixed(0).padStart(5)}`),
  ].join("\n");
}

if (process.argv[1]?.endsWith("load.ts")) {
  const { values } = parseArgs({ options: { seconds: { type: "string" }, concurrency: { type: "string" }, processes: { type: "string" } } });
  const r = await benchLoad({ seconds: values.seconds ? Number(values.seconds) : undefined, concurrency: values.concurrency ? Number(values.concurrency) : undefined, processes: values.processes ? Number(values.processes) : undefined });
  process.stdout.write(`${formatLoad(r)}\n`);
}
