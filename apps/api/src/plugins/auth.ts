import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { hashToken } from "../lib/tokens.js";
import { AppError, commonError, forbidden } from "../lib/errors.js";

export interface StaffPrincipal {
  kind: "staff";
  sessionId: string;
  id: string;
  role: "OPERATOR" | "SCHOOL_ADMIN" | "REVIEWER" | "CUSTOMER_SERVICE";
  schoolId: string | null;
}

export interface GraduatePrincipal {
  kind: "graduate";
  sessionId: string;
  wechatUserId: string;
}

declare module "fastify" {
  interface FastifyRequest {
    principal?: StaffPrincipal | GraduatePrincipal;
  }
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  // Exactly one scheme word, one space, one token: nothing else identifies the same session.
  const m = /^Bearer ([A-Za-z0-9_-]{20,128})$/.exec(h);
  return m ? m[1]! : null;
}

/**
 * Resolves the caller from the bearer token and enforces each route's `config.auth`
 * ("public" | "graduate" | "staff", plus optional `config.roles`).
 */
export const authPlugin = fp(async (app: FastifyInstance) => {
  app.addHook("onRequest", async (req) => {
    const auth = req.routeOptions.config.auth;
    if (!auth || auth === "public") return;
    const token = bearer(req);
    if (!token) throw commonError(401, "UNAUTHENTICATED");
    const session = await app.deps.db.session.findUnique({
      where: { tokenHash: hashToken(token) },
      include: { staffUser: true },
    });
    if (!session) throw commonError(401, "UNAUTHENTICATED");
    if (session.expiresAt.getTime() <= Date.now()) throw commonError(401, "SESSION_EXPIRED");
    if (auth === "staff") {
      const s = session.staffUser;
      if (session.kind !== "STAFF" || !s) throw forbidden();
      if (s.disabled) throw new AppError(403, "ACCOUNT_DISABLED", "账号已停用，请联系管理员");
      const roles = req.routeOptions.config.roles;
      if (roles && !roles.includes(s.role)) throw forbidden();
      req.principal = { kind: "staff", sessionId: session.id, id: s.id, role: s.role, schoolId: s.schoolId };
      return;
    }
    if (session.kind !== "GRADUATE" || !session.wechatUserId) throw forbidden();
    req.principal = { kind: "graduate", sessionId: session.id, wechatUserId: session.wechatUserId };
  });
});

export function staffOf(req: FastifyRequest): StaffPrincipal {
  if (req.principal?.kind !== "staff") throw forbidden();
  return req.principal;
}

export function graduateOf(req: FastifyRequest): GraduatePrincipal {
  if (req.principal?.kind !== "graduate") throw forbidden();
  return req.principal;
}

/** School scope: operators see every school, everyone else only their own. */
export function assertSchoolScope(staff: StaffPrincipal, schoolId: string): void {
  if (staff.role !== "OPERATOR" && staff.schoolId !== schoolId) throw forbidden();
}
