import { createHash } from "node:crypto";
import path from "node:path";
import { unzipSync } from "fflate";
import sharp from "sharp";
import { decodeRgb } from "@gradphoto/vision";
import { findFaces, PipelineOptionsSchema } from "@gradphoto/face";
import type { AdmissionReport } from "@gradphoto/contracts";
import type { AppDeps } from "../../context.js";
import { AppError } from "../../lib/errors.js";
import { audit } from "../../lib/audit.js";

/** Largest admission-photo ZIP accepted. */
export const MAX_ADMISSION_ZIP_BYTES = 512 * 1024 * 1024;
/** What its images may unpack to, in all and each (JPEG barely compresses: a real ZIP is ≈ its own size). */
export const MAX_ZIP_UNPACKED = 1024 * 1024 * 1024;
export const MAX_PHOTO_UNPACKED = 30 * 1024 * 1024;
export const MAX_ZIP_ENTRIES = 60_000;

/**
 * An entry's name as a path: "\" separators (PowerShell's Compress-Archive) become "/", and a name stored
 * without the UTF-8 flag (Windows' own ZIP on a Chinese system writes GBK) is decoded as GB18030.
 */
export function entryName(name: string): string {
  let n = name;
  if (/[\u0080-\u00ff]/.test(n) && !/[^\u0000-\u00ff]/.test(n)) {
    // fflate read the bytes as Latin-1: take them back and decode them properly
    const bytes = Buffer.from(n, "latin1");
    try {
      n = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      n = new TextDecoder("gb18030").decode(bytes);
    }
  }
  return n.replace(/\\/g, "/");
}
const MAX_ITEMS_IN_REPORT = 5000;
const IMAGE_EXT = new Set([".jpg", ".jpeg", ".png", ".webp", ".bmp"]);

export interface AdmissionCheck {
  ok: boolean;
  code: "OK" | "UNDECODABLE" | "NO_FACE" | "MULTIPLE_FACES";
  message: string;
  jpeg?: Buffer;
}

const REFERENCE_DETECTION = PipelineOptionsSchema.parse({});

/** Decodable, exactly one clear face; the stored copy is a JPEG (EXIF orientation applied). */
export async function checkAdmissionPhoto(bytes: Buffer): Promise<AdmissionCheck> {
  let jpeg: Buffer;
  try {
    const img = sharp(bytes, { limitInputPixels: 50_000_000 }).rotate();
    const meta = await img.metadata();
    if (!meta.width || !meta.height) throw new Error("no size");
    jpeg = meta.format === "jpeg" && !meta.orientation ? bytes : await img.jpeg({ quality: 92 }).toBuffer();
  } catch {
    return { ok: false, code: "UNDECODABLE", message: "图片无法解码（文件损坏或格式不支持）" };
  }
  let rgb: Awaited<ReturnType<typeof decodeRgb>>;
  try {
    // a JPEG whose header reads but whose data is cut off fails only here
    rgb = await decodeRgb(jpeg, { maxSide: 640 });
  } catch {
    return { ok: false, code: "UNDECODABLE", message: "图片不完整或已损坏，无法解码" };
  }
  // The comparison's own detection (retries at other scales with a lower score): an old, small or
  // grey admission photo whose face the comparison would find is never refused here (#21).
  const faces = (await findFaces(rgb, REFERENCE_DETECTION)).sort((a, b) => b.box.width - a.box.width);
  // Smaller faces beside the main one (prints, posters, people behind) are ignored, and so are weak
  // detections that the retry passes' lower score lets through: the comparison uses the largest face.
  const main = faces[0];
  const real = main ? [main, ...faces.slice(1).filter((f) => f.score >= 0.7 && f.box.width >= main.box.width * 0.5)] : [];
  if (real.length === 0) return { ok: false, code: "NO_FACE", message: "未检测到人脸" };
  if (real.length > 1) return { ok: false, code: "MULTIPLE_FACES", message: `检测到${real.length}张人脸，录取照片应只有本人` };
  return { ok: true, code: "OK", message: "已导入", jpeg };
}

/**
 * Imports a ZIP of admission photos named by unique number (e.g. 2026105580000001.jpg, in any folder):
 * each is decoded and checked for exactly one face, stored under a content-addressed key and linked
 * to the roster entry. Background job; progress in RosterImport.done/total; per-file report.
 */
export async function runAdmissionImport(deps: AppDeps, importId: string, opts: { lastAttempt?: boolean } = {}): Promise<void> {
  const { db, storage } = deps;
  const imp = await db.rosterImport.findUnique({ where: { id: importId }, include: { campaign: true } });
  if (!imp || imp.kind !== "ADMISSION_PHOTOS" || imp.status === "DONE" || imp.status === "FAILED") return;
  const base = imp.report as unknown as AdmissionReport;
  try {
    await db.rosterImport.update({ where: { id: imp.id }, data: { status: "RUNNING" } });
    let files: Record<string, Uint8Array>;
    // entries that are not images are listed in the report without being inflated
    const skipped: string[] = [];
    let unpacked = 0;
    let entries = 0;
    try {
      files = unzipSync(new Uint8Array(await storage.get(imp.objectKey)), {
        filter: (f) => {
          const name = entryName(f.name);
          if (name.endsWith("/") || name.startsWith("__MACOSX/") || path.posix.basename(name).startsWith(".")) return false;
          if (++entries > MAX_ZIP_ENTRIES) throw new AppError(422, "ZIP_TOO_LARGE", `压缩包中文件过多（超过 ${MAX_ZIP_ENTRIES} 个），请拆分后上传`);
          if (!IMAGE_EXT.has(path.posix.extname(name).toLowerCase())) {
            skipped.push(f.name);
            return false;
          }
          // the sizes the archive declares, checked before anything is inflated (a zip bomb stops here)
          if (f.originalSize > MAX_PHOTO_UNPACKED) throw new AppError(422, "ZIP_TOO_LARGE", `压缩包中的图片 ${name} 解压后超过 ${MAX_PHOTO_UNPACKED / 1048576} MB，请检查文件`);
          unpacked += f.originalSize;
          if (unpacked > MAX_ZIP_UNPACKED) throw new AppError(422, "ZIP_TOO_LARGE", `压缩包解压后超过 ${MAX_ZIP_UNPACKED / 1048576 / 1024} GB，请拆分后上传`);
          return true;
        },
      });
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError(422, "ZIP_UNREADABLE", "无法读取该压缩包，请上传 .zip 格式的文件");
    }
    for (const name of skipped) files[name] = new Uint8Array(0);
    const names = Object.keys(files).sort();
    // Unique numbers match exactly, or ignoring case when that is unambiguous (file systems may change case).
    const list = await db.rosterEntry.findMany({ where: { campaignId: imp.campaignId }, select: { id: true, uniqueNumber: true, admissionPhotoStatus: true } });
    const exact = new Map(list.map((e) => [e.uniqueNumber, e]));
    const folded = new Map<string, (typeof list)[number] | null>();
    for (const e of list) folded.set(e.uniqueNumber.toUpperCase(), folded.has(e.uniqueNumber.toUpperCase()) ? null : e);
    const find = (u: string) => exact.get(u) ?? folded.get(u.toUpperCase()) ?? undefined;
    await db.rosterImport.update({ where: { id: imp.id }, data: { total: names.length, done: 0 } });
    const items: AdmissionReport["items"] = [];
    let ok = 0;
    let lastProgress = Date.now();
    const seen = new Set<string>();
    for (let i = 0; i < names.length; i++) {
      const raw = names[i]!;
      const file = entryName(raw);
      const ext = path.posix.extname(file).toLowerCase();
      const uniqueNumber = path.posix.basename(file, path.posix.extname(file)).trim();
      const entry = find(uniqueNumber);
      const push = (r: Omit<AdmissionReport["items"][number], "file" | "uniqueNumber">) => items.push({ file, uniqueNumber: uniqueNumber || null, ...r });
      if (!IMAGE_EXT.has(ext)) push({ ok: false, code: "NOT_AN_IMAGE", message: "不是图片文件（支持 jpg、png、webp、bmp）" });
      else if (!entry) push({ ok: false, code: "NOT_IN_ROSTER", message: "名单中没有该唯一编号，请先导入名单或检查文件名" });
      else if (seen.has(entry.id)) push({ ok: false, code: "DUPLICATE", message: "压缩包中有同一唯一编号的多张照片，仅导入第一张" });
      else {
        seen.add(entry.id);
        const checked = await checkAdmissionPhoto(Buffer.from(files[raw]!));
        if (!checked.ok || !checked.jpeg) push({ ok: false, code: checked.code, message: checked.message });
        else {
          const sha = createHash("sha256").update(checked.jpeg).digest("hex").slice(0, 16);
          // A new key per content: earlier comparisons keep pointing at the photo they used.
          const key = `admission/${imp.campaignId}/${entry.uniqueNumber}-${sha}.jpg`;
          await storage.put(key, checked.jpeg, { contentType: "image/jpeg" });
          await db.rosterEntry.update({
            where: { id: entry.id },
            // A disputed photo stays disputed until customer service marks the dispute resolved.
            data: { admissionPhotoKey: key, ...(entry.admissionPhotoStatus === "MISSING" ? { admissionPhotoStatus: "PRESENT" as const } : {}) },
          });
          ok++;
          push({ ok: true, code: "OK", message: entry.admissionPhotoStatus === "DISPUTED" ? "已导入（该毕业生有录取照片异议，请客服核实后标记解决）" : "已导入" });
        }
      }
      delete files[raw];
      if (Date.now() - lastProgress > 500 || i === names.length - 1) {
        lastProgress = Date.now();
        await db.rosterImport.update({ where: { id: imp.id }, data: { done: i + 1 } });
      }
    }
    const failedItems = items.filter((x) => !x.ok);
    const report: AdmissionReport = {
      ...base,
      totalFiles: names.length,
      ok,
      failed: failedItems.length,
      items: [...failedItems, ...items.filter((x) => x.ok)].slice(0, MAX_ITEMS_IN_REPORT),
      error: null,
    };
    await db.rosterImport.update({ where: { id: imp.id }, data: { status: "DONE", done: names.length, report: report as object } });
    await audit(db, { actorType: "STAFF", actorId: imp.requestedBy, schoolId: imp.campaign.schoolId, action: "roster.admission_photos_imported", targetType: "roster_import", targetId: imp.id, after: { file: base.fileName, ok, failed: report.failed } });
  } catch (e) {
    if (e instanceof AppError || opts.lastAttempt) {
      await db.rosterImport.update({ where: { id: imp.id }, data: { status: "FAILED", report: { ...base, error: e instanceof AppError ? e.message : "导入失败，请重新上传" } as object } });
      if (e instanceof AppError) return;
    }
    throw e;
  }
}
