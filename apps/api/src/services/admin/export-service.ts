import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { Zip, ZipPassThrough, ZipDeflate } from "fflate";
import type { AppDeps } from "../../context.js";
import { audit } from "../../lib/audit.js";

export const EXPORT_FOLDERS = { standard: "photos", print: "print" } as const;
export const MANIFEST_NAME = "manifest.xlsx";

/** Characters Windows and 学信网 uploads do not accept in file names. */
const unsafe = (s: string) => s.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_").trim();

export interface NameValues {
  uniqueNumber: string;
  name: string;
  college: string;
  major: string;
  degreeLevel: string;
  cohort: string;
}

/** `{uniqueNumber}_{name}.jpg` → `2026…_张三.jpg`; duplicates get `-2`, `-3` before the extension. */
export function exportFileName(pattern: string, v: NameValues, taken: Set<string>): string {
  let name = unsafe(pattern.replace(/\{(\w+)\}/g, (_, k: string) => unsafe(String((v as unknown as Record<string, string>)[k] ?? ""))));
  if (!name.toLowerCase().endsWith(".jpg")) name += ".jpg";
  let candidate = name;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = name.replace(/\.jpg$/i, `-${i}.jpg`);
  taken.add(candidate.toLowerCase());
  return candidate;
}

export const exportObjectKey = (jobId: string) => `exports/${jobId}/export.zip`;

const TMP_PREFIX = "gradphoto-export-";
/** Far longer than any export takes (10,000 graduates build in minutes). */
export const STALE_EXPORT_DIR_MS = 2 * 3600_000;

/**
 * Removes the working folders of exports whose process died before its `finally` ran (kill -9, OOM,
 * power loss): each holds a partial archive of graduates' photos and names, which must not linger in
 * the temporary directory. Only folders older than `maxAgeMs` go, so another worker's running export
 * on the same host keeps its own. Returns how many were removed.
 */
export function sweepStaleExportDirs(maxAgeMs = STALE_EXPORT_DIR_MS, root = os.tmpdir(), now = Date.now()): number {
  let removed = 0;
  for (const name of readdirSync(root)) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    const dir = path.join(root, name);
    try {
      if (now - statSync(dir).mtimeMs < maxAgeMs) continue;
      rmSync(dir, { recursive: true, force: true });
      removed++;
    } catch {
      /* gone already, or not ours to remove */
    }
  }
  return removed;
}

/** A ZIP without ZIP64 (what fflate writes) holds at most 4 GiB; 10,000 graduates are ≈ 0.7–1.2 GB. */
export const MAX_ZIP_BYTES = 4 * 1024 ** 3 - 64 * 1024 ** 2;

class ExportTooLargeError extends Error {
  constructor() {
    super("导出文件超过 4 GB（ZIP 格式上限），请联系运维人员分批导出");
  }
}

export function exportDownloadName(campaignName: string, createdAt: Date): string {
  const d = createdAt.toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" }).replace(/-/g, "");
  return `${unsafe(campaignName)}-审核通过照片-${d}.zip`;
}

/**
 * Builds the export archive of a campaign's approved graduates (background job): the standardised
 * photos named by the campaign's pattern under photos/, the print versions under print/, and an XLSX
 * manifest (unique number, name, college, score, review time, reviewer). Progress in ExportJob.done/total.
 */
export async function runExport(deps: AppDeps, jobId: string, opts: { lastAttempt?: boolean } = {}): Promise<void> {
  const { db, storage, config } = deps;
  const job = await db.exportJob.findUnique({ where: { id: jobId }, include: { campaign: true } });
  if (!job || job.status === "DONE" || job.status === "FAILED") return;
  const c = job.campaign;
  let dir: string | null = null;
  let fd: number | null = null;
  try {
    const subs = await db.submission.findMany({
      where: { campaignId: c.id, state: "APPROVED", submittedPhotoId: { not: null } },
      include: {
        rosterEntry: true,
        reviews: { orderBy: { createdAt: "desc" }, take: 1, include: { reviewer: { select: { displayName: true } } } },
        comparisons: { where: { passed: true }, orderBy: { createdAt: "desc" }, take: 1 },
        overrides: { orderBy: { createdAt: "desc" }, take: 1, include: { staffUser: { select: { displayName: true } } } },
      },
      orderBy: [{ rosterEntry: { college: "asc" } }, { rosterEntry: { uniqueNumber: "asc" } }],
    });
    const photos = new Map((await db.photo.findMany({ where: { id: { in: subs.map((s) => s.submittedPhotoId!) } }, select: { id: true, standardizedKey: true, printKey: true } })).map((p) => [p.id, p]));
    await db.exportJob.update({ where: { id: job.id }, data: { status: "RUNNING", total: subs.length, done: 0 } });

    // The archive is written to a temporary file as it is built, so memory holds one copy at most;
    // folders left by a crashed export go first.
    sweepStaleExportDirs();
    dir = mkdtempSync(path.join(os.tmpdir(), TMP_PREFIX));
    const tmpFile = path.join(dir, "export.zip");
    const out = openSync(tmpFile, "w");
    fd = out;
    let zipError: Error | null = null;
    let written = 0;
    const zip = new Zip((err, data) => {
      if (err) zipError = err;
      else if (zipError) return;
      else if ((written += data.length) > MAX_ZIP_BYTES) zipError = new ExportTooLargeError();
      else writeSync(out, data);
    });
    const addFile = (name: string, data: Uint8Array, compress = false) => {
      // JPEGs are already compressed: stored as is, which is fast.
      const f = compress ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
      zip.add(f);
      f.push(data, true);
    };

    const wb = new ExcelJS.Workbook();
    wb.creator = "gradphoto";
    const ws = wb.addWorksheet("审核通过名单");
    ws.columns = [
      { header: "序号", key: "no", width: 6 },
      { header: "学信网唯一编号", key: "uniqueNumber", width: 22 },
      { header: "姓名", key: "name", width: 10 },
      { header: "学院", key: "college", width: 18 },
      { header: "专业", key: "major", width: 20 },
      { header: "学历层次", key: "degreeLevel", width: 10 },
      { header: "比对分数", key: "score", width: 10 },
      { header: "审核时间", key: "reviewedAt", width: 20 },
      { header: "审核人", key: "reviewer", width: 14 },
      { header: "审核方式", key: "mode", width: 12 },
      { header: "照片文件", key: "file", width: 30 },
    ];
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: "frozen", ySplit: 1 }];

    const taken = new Set<string>();
    let done = 0;
    let lastProgress = Date.now();
    for (const s of subs) {
      if (zipError) break;
      const r = s.rosterEntry;
      const p = photos.get(s.submittedPhotoId!);
      if (!r || !p?.standardizedKey) continue;
      const file = exportFileName(c.exportNamePattern, { uniqueNumber: r.uniqueNumber, name: r.name, college: r.college, major: r.major, degreeLevel: r.degreeLevel, cohort: c.cohort }, taken);
      const [std, print] = await Promise.all([storage.get(p.standardizedKey), p.printKey ? storage.get(p.printKey).catch(() => null) : Promise.resolve(null)]);
      addFile(`${EXPORT_FOLDERS.standard}/${file}`, std);
      if (print) addFile(`${EXPORT_FOLDERS.print}/${file}`, print);
      const review = s.reviews[0];
      const override = s.overrides[0];
      const score = s.comparisons[0]?.score;
      ws.addRow({
        no: done + 1,
        uniqueNumber: r.uniqueNumber,
        name: r.name,
        college: r.college,
        major: r.major,
        degreeLevel: r.degreeLevel,
        score: score === null || score === undefined ? "" : Math.round(score * 10) / 10,
        reviewedAt: (s.decidedAt ?? review?.createdAt ?? s.updatedAt).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }),
        reviewer: review?.reviewer?.displayName ?? (review?.automatic ? "系统" : override ? `${override.staffUser.displayName}（人工通过）` : ""),
        mode: review?.automatic || (!review && !override) ? "自动审核" : override && !review ? "客服人工通过" : "人工审核",
        file,
      });
      done++;
      if (Date.now() - lastProgress > 500) {
        lastProgress = Date.now();
        await db.exportJob.update({ where: { id: job.id }, data: { done } });
      }
    }
    addFile(MANIFEST_NAME, new Uint8Array(await wb.xlsx.writeBuffer()), true);
    zip.end();
    closeSync(out);
    fd = null;
    if (zipError) throw zipError;
    // streamed from the temporary file (a multipart upload on S3): never the whole archive in memory
    const bytes = statSync(tmpFile).size;
    await storage.putFile(exportObjectKey(job.id), tmpFile, { contentType: "application/zip" });
    const expiresAt = new Date(Date.now() + config.env.EXPORT_RETENTION_HOURS * 3600_000);
    await db.exportJob.update({ where: { id: job.id }, data: { status: "DONE", done, total: done, objectKey: exportObjectKey(job.id), expiresAt } });
    await audit(db, { actorType: "STAFF", actorId: job.requestedBy, schoolId: c.schoolId, action: "export.completed", targetType: "export_job", targetId: job.id, after: { graduates: done, bytes } });
  } catch (e) {
    if (e instanceof ExportTooLargeError) {
      // the same again would be as large: not retried
      await db.exportJob.update({ where: { id: job.id }, data: { status: "FAILED", error: e.message } });
      return;
    }
    if (opts.lastAttempt) await db.exportJob.update({ where: { id: job.id }, data: { status: "FAILED", error: "导出失败，请重新发起导出" } });
    else await db.exportJob.update({ where: { id: job.id }, data: { status: "QUEUED" } });
    throw e;
  } finally {
    if (fd !== null) closeSync(fd);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
