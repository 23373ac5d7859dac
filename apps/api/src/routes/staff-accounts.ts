import { hash } from "@node-rs/argon2";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  ApiErrorSchema,
  SchoolCreateSchema,
  SchoolSchema,
  StaffAccountCreateSchema,
  StaffAccountSchema,
  StaffAccountUpdateSchema,
} from "@gradphoto/contracts";
import { AppError, notFound } from "../lib/errors.js";
import { audit } from "../lib/audit.js";
import { staffOf } from "../plugins/auth.js";
import { isoOrNull } from "../lib/staff-scope.js";

const bearer = [{ bearer: [] }];
const IdParams = z.object({ id: z.string().uuid() });

type StaffRow = { id: string; username: string; displayName: string; role: "OPERATOR" | "SCHOOL_ADMIN" | "REVIEWER" | "CUSTOMER_SERVICE"; schoolId: string | null; disabled: boolean; lockedUntil: Date | null; lastLoginAt: Date | null; createdAt: Date; school?: { name: string } | null };

function accountView(s: StaffRow) {
  return {
    id: s.id,
    username: s.username,
    displayName: s.displayName,
    role: s.role,
    schoolId: s.schoolId,
    schoolName: s.school?.name ?? null,
    disabled: s.disabled,
    lockedUntil: s.lockedUntil && s.lockedUntil > new Date() ? s.lockedUntil.toISOString() : null,
    lastLoginAt: isoOrNull(s.lastLoginAt),
    createdAt: s.createdAt.toISOString(),
  };
}

/** Schools (everyone sees their own; operators all and create) and staff accounts (operators only). */
export const staffAccountRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.deps;

  app.get(
    "/api/staff/schools",
    { config: { auth: "staff" }, schema: { tags: ["staff-admin"], summary: "Schools the caller may see", security: bearer, response: { 200: z.object({ items: z.array(SchoolSchema) }) } } },
    async (req) => {
      const staff = staffOf(req);
      const items = await db.school.findMany({ where: staff.role === "OPERATOR" ? {} : { id: staff.schoolId ?? "" }, orderBy: { code: "asc" } });
      return { items: items.map((s) => ({ id: s.id, code: s.code, name: s.name })) };
    },
  );

  app.post(
    "/api/staff/schools",
    { config: { auth: "staff", roles: ["OPERATOR"] }, schema: { tags: ["staff-admin"], summary: "Add a school (operators)", security: bearer, body: SchoolCreateSchema, response: { 200: SchoolSchema, 409: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      if (await db.school.findUnique({ where: { code: req.body.code } })) throw new AppError(409, "SCHOOL_CODE_TAKEN", "该院校代码已存在");
      const s = await db.$transaction(async (tx) => {
        const s = await tx.school.create({ data: req.body });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: s.id, action: "school.created", targetType: "school", targetId: s.id, after: req.body, ip: req.ip });
        return s;
      });
      return { id: s.id, code: s.code, name: s.name };
    },
  );

  app.get(
    "/api/staff/accounts",
    { config: { auth: "staff", roles: ["OPERATOR"] }, schema: { tags: ["staff-admin"], summary: "Staff accounts (operators)", security: bearer, response: { 200: z.object({ items: z.array(StaffAccountSchema) }) } } },
    async () => {
      const rows = await db.staffUser.findMany({ include: { school: true }, orderBy: [{ role: "asc" }, { username: "asc" }] });
      return { items: rows.map(accountView) };
    },
  );

  function checkRoleSchool(role: string, schoolId: string | null | undefined): void {
    if (role === "OPERATOR" && schoolId) throw new AppError(400, "VALIDATION_FAILED", "平台运维账号不属于任何学校");
    if (role !== "OPERATOR" && !schoolId) throw new AppError(400, "SCHOOL_REQUIRED", "请为该账号选择学校");
  }

  app.post(
    "/api/staff/accounts",
    { config: { auth: "staff", roles: ["OPERATOR"] }, schema: { tags: ["staff-admin"], summary: "Create a staff account (operators)", security: bearer, body: StaffAccountCreateSchema, response: { 200: StaffAccountSchema, 400: ApiErrorSchema, 409: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const b = req.body;
      checkRoleSchool(b.role, b.schoolId);
      if (b.schoolId && !(await db.school.findUnique({ where: { id: b.schoolId } }))) throw notFound();
      if (await db.staffUser.findUnique({ where: { username: b.username } })) throw new AppError(409, "USERNAME_TAKEN", "该用户名已被使用");
      const passwordHash = await hash(b.password);
      const created = await db.$transaction(async (tx) => {
        const s = await tx.staffUser.create({ data: { username: b.username, displayName: b.displayName, role: b.role, schoolId: b.role === "OPERATOR" ? null : b.schoolId, passwordHash }, include: { school: true } });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: s.schoolId, action: "staff.created", targetType: "staff_user", targetId: s.id, after: { username: s.username, role: s.role, schoolId: s.schoolId }, ip: req.ip });
        return s;
      });
      return accountView(created);
    },
  );

  app.patch(
    "/api/staff/accounts/:id",
    { config: { auth: "staff", roles: ["OPERATOR"] }, schema: { tags: ["staff-admin"], summary: "Change, disable, unlock or reset the password of a staff account (operators)", security: bearer, params: IdParams, body: StaffAccountUpdateSchema, response: { 200: StaffAccountSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const cur = await db.staffUser.findUnique({ where: { id: req.params.id } });
      if (!cur) throw notFound();
      const b = req.body;
      if (cur.id === staff.id && (b.disabled === true || (b.role && b.role !== "OPERATOR"))) throw new AppError(409, "CANNOT_CHANGE_SELF", "不能停用自己的账号或降低自己的权限");
      const role = b.role ?? cur.role;
      const schoolId = role === "OPERATOR" ? null : b.schoolId !== undefined ? b.schoolId : cur.schoolId;
      checkRoleSchool(role, schoolId);
      if (schoolId && !(await db.school.findUnique({ where: { id: schoolId } }))) throw notFound();
      const passwordHash = b.password ? await hash(b.password) : undefined;
      const updated = await db.$transaction(async (tx) => {
        const s = await tx.staffUser.update({
          where: { id: cur.id },
          data: {
            displayName: b.displayName,
            role,
            schoolId,
            disabled: b.disabled,
            ...(passwordHash ? { passwordHash } : {}),
            ...(b.unlock || passwordHash ? { failedLogins: 0, lockedUntil: null } : {}),
          },
          include: { school: true },
        });
        // A disabled account, a new password or a new role/school ends every session of that account.
        if (b.disabled || passwordHash || role !== cur.role || schoolId !== cur.schoolId) await tx.session.deleteMany({ where: { staffUserId: cur.id } });
        await audit(tx, {
          actorType: "STAFF",
          actorId: staff.id,
          schoolId: s.schoolId ?? cur.schoolId,
          action: passwordHash ? "staff.password_reset" : b.disabled === true ? "staff.disabled" : b.unlock ? "staff.unlocked" : "staff.updated",
          targetType: "staff_user",
          targetId: cur.id,
          before: { displayName: cur.displayName, role: cur.role, schoolId: cur.schoolId, disabled: cur.disabled },
          after: { displayName: s.displayName, role: s.role, schoolId: s.schoolId, disabled: s.disabled, passwordChanged: Boolean(passwordHash) },
          ip: req.ip,
        });
        return s;
      });
      return accountView(updated);
    },
  );
};
