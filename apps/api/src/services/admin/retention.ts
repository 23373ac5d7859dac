import type { Prisma } from "@gradphoto/db";
import type { AppDeps } from "../../context.js";
import { audit } from "../../lib/audit.js";

/**
 * Personal-data retention. `retentionDays` (per school) after a campaign closes, its personal data that
 * the school need not keep is deleted:
 * - photo objects: every original, standardised and print image, except the registered photo (the
 *   standardised image of each submission's submitted photo); rows of photos other than the submitted
 *   one (with their check reports, standardisation attempts and comparisons);
 * - export archives and uploaded roster / admission files (they hold full ID numbers);
 * - decrypted and sensitive fields: the roster's encrypted full ID and phone numbers and phone hash, the
 *   raw 采集码 text and its decoded fields.
 * Kept: the registered photo, the roster's masked identity (name, unique number, masked ID number),
 * submissions and their transitions, reviews, orders and payments, and the audit log.
 */
export interface RetentionReport {
  campaignId: string;
  campaignName: string;
  retentionDays: number;
  closesAt: string;
  dueAt: string;
  due: boolean;
  purgedAt: string | null;
  photoRowsDeleted: number;
  objectsDeleted: number;
  registeredPhotosKept: number;
  rosterEntriesCleared: number;
  captureCodesCleared: number;
  exportsDeleted: number;
  importFilesDeleted: number;
}

interface Plan {
  report: RetentionReport;
  objectKeys: string[];
  photoIdsToDelete: string[];
  keptPhotoIds: string[];
  exportIds: string[];
}

async function plan(deps: AppDeps, campaignId: string, now: Date): Promise<Plan> {
  const { db } = deps;
  const c = await db.campaign.findUniqueOrThrow({ where: { id: campaignId }, include: { school: true } });
  const dueAt = new Date(c.closesAt.getTime() + c.school.retentionDays * 86400_000);
  const submissions = await db.submission.findMany({ where: { campaignId }, select: { submittedPhotoId: true, photos: { select: { id: true, originalKey: true, standardizedKey: true, printKey: true } } } });
  const objectKeys: string[] = [];
  const photoIdsToDelete: string[] = [];
  const keptPhotoIds: string[] = [];
  for (const s of submissions) {
    for (const p of s.photos) {
      const registered = p.id === s.submittedPhotoId;
      if (registered) keptPhotoIds.push(p.id);
      else photoIdsToDelete.push(p.id);
      if (p.originalKey && p.originalKey !== p.standardizedKey) objectKeys.push(p.originalKey);
      if (p.printKey) objectKeys.push(p.printKey);
      if (p.standardizedKey && !registered) objectKeys.push(p.standardizedKey);
    }
  }
  const exports = await db.exportJob.findMany({ where: { campaignId, objectKey: { not: null } }, select: { id: true, objectKey: true } });
  const imports = await db.rosterImport.findMany({ where: { campaignId }, select: { objectKey: true } });
  const importKeys = imports.map((i) => i.objectKey).filter((k) => k !== "");
  objectKeys.push(...exports.map((e) => e.objectKey!), ...importKeys);
  const rosterEntriesCleared = await db.rosterEntry.count({ where: { campaignId, OR: [{ idNumberEncrypted: { not: null } }, { phoneEncrypted: { not: null } }, { phone: { not: null } }] } });
  const captureCodesCleared = await db.captureCode.count({ where: { rosterEntry: { campaignId }, NOT: { rawText: "" } } });
  return {
    report: {
      campaignId,
      campaignName: c.name,
      retentionDays: c.school.retentionDays,
      closesAt: c.closesAt.toISOString(),
      dueAt: dueAt.toISOString(),
      due: dueAt <= now && c.closesAt <= now,
      purgedAt: c.purgedAt?.toISOString() ?? null,
      photoRowsDeleted: photoIdsToDelete.length,
      objectsDeleted: objectKeys.length,
      registeredPhotosKept: keptPhotoIds.length,
      rosterEntriesCleared,
      captureCodesCleared,
      exportsDeleted: exports.length,
      importFilesDeleted: importKeys.length,
    },
    objectKeys,
    photoIdsToDelete,
    keptPhotoIds,
    exportIds: exports.map((e) => e.id),
  };
}

/** What a purge would delete now (nothing is changed). */
export async function retentionDryRun(deps: AppDeps, campaignId: string, now = new Date()): Promise<RetentionReport> {
  return (await plan(deps, campaignId, now)).report;
}

/**
 * Purges one campaign whose retention period is over (refuses otherwise unless `force`), writes a
 * `retention.purged` audit entry with the report. Idempotent: a second run finds nothing to delete.
 */
export async function purgeCampaign(deps: AppDeps, campaignId: string, actor: { type: "SYSTEM" } | { type: "STAFF"; id: string; ip?: string }, now = new Date()): Promise<RetentionReport | null> {
  const { db, storage } = deps;
  const p = await plan(deps, campaignId, now);
  if (!p.report.due) return null;
  // Objects first: a crash midway leaves rows pointing at missing objects, never personal data behind.
  for (const key of p.objectKeys) await storage.delete(key);
  const c = await db.campaign.findUniqueOrThrow({ where: { id: campaignId } });
  await db.$transaction(async (tx) => {
    if (p.photoIdsToDelete.length) {
      // submissions may still point at a deleted photo as "current": clear those pointers first
      await tx.submission.updateMany({ where: { campaignId, currentPhotoId: { in: p.photoIdsToDelete } }, data: { currentPhotoId: null } });
      await tx.photo.deleteMany({ where: { id: { in: p.photoIdsToDelete } } });
    }
    if (p.keptPhotoIds.length) {
      // the registered photo stays; its original and print copies are gone
      await tx.$executeRaw`UPDATE "photos" SET "original_key" = COALESCE("standardized_key", ''), "print_key" = NULL, "check_report" = NULL WHERE "id" = ANY(${p.keptPhotoIds}::uuid[])`;
    }
    if (p.exportIds.length) await tx.exportJob.updateMany({ where: { id: { in: p.exportIds } }, data: { objectKey: null } });
    await tx.rosterImport.updateMany({ where: { campaignId }, data: { objectKey: "" } });
    await tx.rosterEntry.updateMany({ where: { campaignId }, data: { idNumberEncrypted: null, phoneEncrypted: null, phoneHash: null, phone: null } });
    await tx.captureCode.updateMany({ where: { rosterEntry: { campaignId } }, data: { rawText: "", decodedFields: {} as Prisma.InputJsonValue } });
    await tx.campaign.update({ where: { id: campaignId }, data: { purgedAt: now } });
    await audit(tx, {
      actorType: actor.type,
      actorId: actor.type === "STAFF" ? actor.id : null,
      schoolId: c.schoolId,
      action: "retention.purged",
      targetType: "campaign",
      targetId: campaignId,
      after: { ...p.report, purgedAt: now.toISOString() } as unknown as Prisma.InputJsonValue,
      ...(actor.type === "STAFF" && actor.ip ? { ip: actor.ip } : {}),
    });
  });
  return { ...p.report, purgedAt: now.toISOString() };
}

/** The periodic sweep: every campaign past its school's retention period and not purged yet. */
export async function purgeDueCampaigns(deps: AppDeps, now = new Date()): Promise<string[]> {
  const candidates = await deps.db.campaign.findMany({ where: { purgedAt: null, closesAt: { lt: now } }, include: { school: { select: { retentionDays: true } } } });
  const purged: string[] = [];
  for (const c of candidates) {
    if (c.closesAt.getTime() + c.school.retentionDays * 86400_000 > now.getTime()) continue;
    if (await purgeCampaign(deps, c.id, { type: "SYSTEM" }, now)) purged.push(c.id);
  }
  return purged;
}
