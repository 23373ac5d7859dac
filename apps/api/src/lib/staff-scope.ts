import type { Db } from "@gradphoto/db";
import { AppError, notFound } from "./errors.js";
import { assertSchoolScope, type StaffPrincipal } from "../plugins/auth.js";

/** The campaign, if it exists and the staff member may see its school (else 404 / 403). */
export async function scopedCampaign(db: Db, staff: StaffPrincipal, campaignId: string) {
  const c = await db.campaign.findUnique({ where: { id: campaignId }, include: { school: true } });
  if (!c) throw notFound();
  assertSchoolScope(staff, c.schoolId);
  return c;
}

/** Prisma filter on a schoolId column for the staff member's scope (operators: every school or the one asked for). */
export function schoolWhere(staff: StaffPrincipal, requested?: string): { schoolId?: string } {
  if (staff.role === "OPERATOR") return requested ? { schoolId: requested } : {};
  if (requested && requested !== staff.schoolId) throw new AppError(403, "FORBIDDEN", "没有权限查看其他学校的数据");
  return { schoolId: staff.schoolId! };
}

/** The school a non-operator acts in, or the one an operator names (required for operators). */
export function actingSchool(staff: StaffPrincipal, requested?: string): string {
  if (staff.role === "OPERATOR") {
    if (!requested) throw new AppError(400, "SCHOOL_REQUIRED", "请选择学校");
    return requested;
  }
  if (requested && requested !== staff.schoolId) throw new AppError(403, "FORBIDDEN", "没有权限操作其他学校的数据");
  return staff.schoolId!;
}

export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
