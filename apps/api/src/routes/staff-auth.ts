import { verify } from "@node-rs/argon2";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiErrorSchema, StaffLoginRequestSchema, StaffLoginResponseSchema, StaffProfileSchema } from "@gradphoto/contracts";
import { AppError } from "../lib/errors.js";
import { newToken } from "../lib/tokens.js";
import { audit } from "../lib/audit.js";
import { staffOf } from "../plugins/auth.js";

// Compared against when the username does not exist, so timing does not reveal accounts.
const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$W6Gx0oVYJ2dT2Q2o0m0m0m0m0m0m0m0m0m0m0m0m0m0";

const INVALID = () => new AppError(401, "INVALID_CREDENTIALS", "用户名或密码错误");

/** Staff password login with argon2, lockout after repeated failures, and logout. */
export const staffAuthRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, config } = app.deps;

  app.post(
    "/api/staff/login",
    {
      config: { auth: "public", rateLimit: { max: config.env.LOGIN_RATE_LIMIT_PER_MINUTE, timeWindow: "1 minute" } },
      schema: {
        tags: ["staff"],
        summary: "Staff password login",
        body: StaffLoginRequestSchema,
        response: { 200: StaffLoginResponseSchema, 401: ApiErrorSchema, 423: ApiErrorSchema },
      },
    },
    async (req) => {
      const { username, password } = req.body;
      const staff = await db.staffUser.findUnique({ where: { username } });
      const now = new Date();
      if (staff?.lockedUntil && staff.lockedUntil > now) {
        throw new AppError(423, "ACCOUNT_LOCKED", `登录失败次数过多，账号已锁定，请于${formatTime(staff.lockedUntil)}后再试`, { lockedUntil: staff.lockedUntil.toISOString() });
      }
      const ok = await verify(staff?.passwordHash ?? DUMMY_HASH, password).catch(() => false);
      if (!staff || !ok || staff.disabled) {
        if (staff) {
          // counted under the row lock: parallel wrong guesses each count, so a burst reaches the lockout
          await db.$transaction(async (tx) => {
            const [row] = await tx.$queryRaw<Array<{ failed_logins: number }>>`SELECT failed_logins FROM "staff_users" WHERE id = ${staff.id}::uuid FOR UPDATE`;
            const failed = (row?.failed_logins ?? 0) + 1;
            const lock = failed >= config.env.STAFF_MAX_FAILED_LOGINS;
            await tx.staffUser.update({
              where: { id: staff.id },
              data: { failedLogins: lock ? 0 : failed, ...(lock ? { lockedUntil: new Date(now.getTime() + config.env.STAFF_LOCKOUT_MINUTES * 60_000) } : {}) },
            });
            await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: staff.schoolId, action: lock ? "staff.locked" : "staff.login_failed", targetType: "staff_user", targetId: staff.id, ip: req.ip });
          });
        }
        throw INVALID();
      }
      const { token, hash } = newToken();
      const expiresAt = new Date(now.getTime() + config.env.STAFF_SESSION_HOURS * 3600_000);
      await db.$transaction(async (tx) => {
        await tx.session.create({ data: { tokenHash: hash, kind: "STAFF", staffUserId: staff.id, expiresAt, ip: req.ip, userAgent: req.headers["user-agent"]?.slice(0, 256) } });
        await tx.staffUser.update({ where: { id: staff.id }, data: { failedLogins: 0, lockedUntil: null, lastLoginAt: now } });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: staff.schoolId, action: "staff.login", targetType: "staff_user", targetId: staff.id, ip: req.ip });
      });
      return {
        token,
        expiresAt: expiresAt.toISOString(),
        staff: { id: staff.id, username: staff.username, displayName: staff.displayName, role: staff.role, schoolId: staff.schoolId },
      };
    },
  );

  app.post(
    "/api/staff/logout",
    { config: { auth: "staff" }, schema: { tags: ["staff"], security: [{ bearer: [] }], response: { 200: z.object({ ok: z.literal(true) }) } } },
    async (req) => {
      const staff = staffOf(req);
      await db.session.delete({ where: { id: staff.sessionId } });
      return { ok: true as const };
    },
  );

  app.get(
    "/api/staff/me",
    { config: { auth: "staff" }, schema: { tags: ["staff"], security: [{ bearer: [] }], response: { 200: StaffProfileSchema } } },
    async (req) => {
      const s = await db.staffUser.findUniqueOrThrow({ where: { id: staffOf(req).id } });
      return { id: s.id, username: s.username, displayName: s.displayName, role: s.role, schoolId: s.schoolId };
    },
  );
};

function formatTime(d: Date): string {
  return d.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}
