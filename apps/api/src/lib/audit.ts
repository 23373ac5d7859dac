import type { Db, Prisma } from "@gradphoto/db";

export interface AuditEntry {
  actorType: "STAFF" | "GRADUATE" | "SYSTEM";
  actorId?: string | null;
  schoolId?: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
}

type Tx = Pick<Db, "auditLog"> | Prisma.TransactionClient;

/** Appends to the audit log; pass the transaction client so the entry commits with the change. */
export async function audit(db: Tx, e: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      actorType: e.actorType,
      actorId: e.actorId ?? null,
      schoolId: e.schoolId ?? null,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId ?? null,
      before: e.before === undefined ? undefined : (e.before as Prisma.InputJsonValue),
      after: e.after === undefined ? undefined : (e.after as Prisma.InputJsonValue),
      ip: e.ip ?? null,
    },
  });
}
