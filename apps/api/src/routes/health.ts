import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { databaseErrorLine } from "../lib/db-errors.js";
import { HealthSchema, ReadinessSchema, type Readiness } from "@gradphoto/contracts";

/** Liveness (process up) and readiness (database and storage reachable). */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get("/healthz", { config: { auth: "public", rateLimit: false }, schema: { tags: ["health"], response: { 200: HealthSchema } } }, async () => ({ status: "ok" as const }));

  app.get(
    "/readyz",
    { config: { auth: "public", rateLimit: false }, schema: { tags: ["health"], response: { 200: ReadinessSchema, 503: ReadinessSchema } } },
    async (_req, reply) => {
      const { db, storage } = app.deps;
      const checks: Readiness["checks"] = { database: { ok: true }, storage: { ok: true } };
      await db.$queryRaw`SELECT 1`.catch((e: Error) => {
        checks.database = { ok: false, error: databaseErrorLine(e) };
      });
      await storage.healthCheck().catch((e: Error) => {
        checks.storage = { ok: false, error: e.message };
      });
      const ok = checks.database.ok && checks.storage.ok;
      return reply.status(ok ? 200 : 503).send({ status: ok ? "ok" : "unavailable", checks });
    },
  );
};
