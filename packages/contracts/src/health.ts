import { z } from "zod";

export const HealthSchema = z.object({ status: z.literal("ok") }).meta({ id: "Health" });

export const ReadinessSchema = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    checks: z.object({
      database: z.object({ ok: z.boolean(), error: z.string().optional() }),
      storage: z.object({ ok: z.boolean(), error: z.string().optional() }),
    }),
  })
  .meta({ id: "Readiness" });
export type Readiness = z.infer<typeof ReadinessSchema>;
