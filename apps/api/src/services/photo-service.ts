import { createHash, randomUUID } from "node:crypto";
import { PhotoSpecSchema, check, standardize, type PhotoSpec, type CheckResult } from "@gradphoto/photo";
import type { Db } from "@gradphoto/db";
import type { ObjectStorage } from "@gradphoto/storage";
import type { PhotoView } from "@gradphoto/contracts";
import { AppError } from "../lib/errors.js";
import { photoMarks } from "./photo-marks.js";

/** The campaign's photo spec (stored as JSON) with every default filled in. */
export function campaignSpec(json: unknown): PhotoSpec {
  const parsed = PhotoSpecSchema.safeParse(json ?? {});
  return parsed.success ? parsed.data : PhotoSpecSchema.parse({});
}

export const photoKeys = (submissionId: string, photoId: string) => ({
  original: `photos/${submissionId}/${photoId}/original`,
  standard: `photos/${submissionId}/${photoId}/standard.jpg`,
  print: `photos/${submissionId}/${photoId}/print.jpg`,
});

export interface StoredCheck {
  compliant: boolean;
  checks: CheckResult[];
  error?: { code: string; message: string };
  source?: unknown;
}

/**
 * Pipeline failures that are not about the photo (a model missing or corrupt, a crash): the service's
 * fault, so a 503 the graduate can retry — nothing stored, no daily use or standardisation taken, and
 * the internal text only in the log.
 */
const SERVICE_FAULTS = new Set(["MODEL_UNAVAILABLE", "INTERNAL"]);
export function assertPhotoService(error: { code: string; message: string } | undefined): void {
  if (error && SERVICE_FAULTS.has(error.code)) {
    throw Object.assign(new AppError(503, "PHOTO_SERVICE_UNAVAILABLE", "照片检测服务暂时不可用，请稍后再试"), { cause: `${error.code}: ${error.message}` });
  }
}

/** Check errors that mean "not a usable image file": such uploads are refused and nothing is stored. */
const NOT_AN_IMAGE: Record<string, number> = { INVALID_IMAGE: 422, UNSUPPORTED_FORMAT: 422, IMAGE_TOO_LARGE: 413 };

/**
 * Checks first: a file that is not a decodable, allowed image is refused (AppError 422/413) before
 * anything is stored. A real photo is stored with its report, compliant or not (the graduate sees
 * why, staff can look at it).
 */
export async function storeAndCheck(
  db: Db,
  storage: ObjectStorage,
  input: { submissionId: string; source: "CAMERA" | "ALBUM"; bytes: Buffer; spec: PhotoSpec; quota?: { wechatUserId: string; limitMb: number } },
): Promise<{ photoId: string; report: StoredCheck }> {
  const r = await check(input.bytes, input.spec, { origin: input.source === "ALBUM" ? "album" : "camera" });
  assertPhotoService(r.error);
  const status = r.error ? NOT_AN_IMAGE[r.error.code] : undefined;
  if (r.error && status) throw new AppError(status, r.error.code, r.error.message);
  const report: StoredCheck = { compliant: r.compliant && !r.error, checks: r.checks, error: r.error, source: r.source };
  const photoId = randomUUID();
  const keys = photoKeys(input.submissionId, photoId);
  await storage.put(keys.original, input.bytes, { contentType: "application/octet-stream" });
  try {
    await db.$transaction(async (tx) => {
      // the quota is summed again and the photo recorded under the graduate's row lock: parallel
      // uploads (a script, several phones) cannot each pass a sum taken before the others were stored
      if (input.quota) {
        await tx.$queryRaw`SELECT id FROM "wechat_users" WHERE id = ${input.quota.wechatUserId}::uuid FOR UPDATE`;
        await assertStorageQuota(tx, input.quota.wechatUserId, input.bytes.length, input.quota.limitMb);
      }
      await tx.photo.create({
        data: {
          id: photoId,
          submissionId: input.submissionId,
          source: input.source,
          originalKey: keys.original,
          originalSha256: createHash("sha256").update(input.bytes).digest("hex"),
          originalBytes: input.bytes.length,
          checkReport: report as object,
          compliant: report.compliant,
        },
      });
    });
  } catch (e) {
    await storage.delete(keys.original).catch(() => undefined); // nothing of a refused upload is kept
    throw e;
  }
  return { photoId, report };
}

/**
 * Retakes are free, but each stores an original: a graduate's originals are bounded (all their
 * submissions together), so a script cannot fill the disk through one account. Checked before the
 * photo check (cheap refusal) and again when the photo is recorded (storeAndCheck, under a lock).
 */
export async function assertStorageQuota(db: Pick<Db, "photo">, wechatUserId: string, incomingBytes: number, limitMb: number): Promise<void> {
  const used = await db.photo.aggregate({ where: { submission: { wechatUserId } }, _sum: { originalBytes: true } });
  if ((used._sum.originalBytes ?? 0) + incomingBytes > limitMb * 1024 * 1024) {
    throw new AppError(409, "PHOTO_STORAGE_FULL", "上传的照片已达上限，请联系客服处理后再上传", { limitMb });
  }
}

export async function runStandardize(storage: ObjectStorage, submissionId: string, photoId: string, spec: PhotoSpec) {
  const keys = photoKeys(submissionId, photoId);
  const original = await storage.get(keys.original);
  const result = await standardize(original, spec, { origin: "camera" });
  // only a photo to the spec is kept (the route refuses the others with their reasons)
  if (result.image && result.print && result.report.compliant) {
    await storage.put(keys.standard, result.image, { contentType: "image/jpeg" });
    await storage.put(keys.print, result.print, { contentType: "image/jpeg" });
  }
  return { result, keys };
}

/** A photo as the graduate sees it, with short-lived links. */
export async function photoView(storage: ObjectStorage, p: { id: string; source: "CAMERA" | "ALBUM"; compliant: boolean | null; checkReport: unknown; originalKey: string; standardizedKey: string | null; createdAt: Date }): Promise<PhotoView> {
  const report = (p.checkReport ?? { checks: [] }) as StoredCheck;
  return {
    id: p.id,
    source: p.source,
    compliant: p.compliant,
    checks: (report.checks ?? []).map((c) => ({ id: c.id, passed: c.passed, severity: c.severity, message: c.message, value: c.value, threshold: c.threshold })),
    error: report.error ? { code: report.error.code, message: report.error.message } : null,
    originalUrl: await storage.signedUrl(p.originalKey, { expiresInSeconds: 900 }),
    standardizedUrl: p.standardizedKey ? await storage.signedUrl(p.standardizedKey, { expiresInSeconds: 900 }) : null,
    marks: photoMarks(p.checkReport, "original"),
    createdAt: p.createdAt.toISOString(),
  };
}

/** A photo counts toward the 3 failures only if it met every rule (no failed check at all). */
export function isQualifying(checkReport: unknown): boolean {
  const r = checkReport as StoredCheck | null;
  return Boolean(r && r.compliant && !r.error && r.checks.every((c) => c.passed));
}
