import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import helmet from "@fastify/helmet";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import type { FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { commonError } from "../lib/errors.js";

/** The authenticated subject a per-subject limit counts against (the IP only for a route without login). */
export function subjectKey(req: FastifyRequest): string {
  const p = req.principal;
  if (p?.kind === "graduate") return `graduate:${p.wechatUserId}`;
  if (p?.kind === "staff") return `staff:${p.id}`;
  return `ip:${req.ip}`;
}

/** Security headers, CORS for configured origins only, a global per-IP rate limit and per-subject limits. */
export const securityPlugin = fp(async (app: FastifyInstance) => {
  const { config } = app.deps;
  await app.register(helmet, {
    // /docs (Swagger UI) needs inline scripts and styles.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "blob:"],
      },
    },
    crossOriginResourcePolicy: { policy: "cross-origin" },
  });
  await app.register(cors, {
    origin: (origin, cb) => cb(null, !origin || config.corsOrigins.includes(origin)),
    credentials: false,
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
  });
  await app.register(rateLimit, {
    global: true,
    max: config.env.RATE_LIMIT_PER_MINUTE,
    timeWindow: "1 minute",
    // The error handler turns this into the standard error shape.
    errorResponseBuilder: (_req, ctx) => Object.assign(new Error("rate limited"), { statusCode: 429, ttl: ctx.ttl }),
  });
  // Per-subject limits (config.subjectRateLimit): keyed on who the caller is after authentication —
  // graduate or staff id, never the raw Authorization header (which can be spelled many ways) —
  // and on top of the per-IP limit above, which still applies to the route.
  app.addHook("onRoute", (route) => {
    const limit = route.config?.subjectRateLimit;
    if (!limit) return;
    if (route.config?.rateLimit !== undefined) throw new Error(`${route.url}: subjectRateLimit replaces the route's own rateLimit`);
    const check = app.createRateLimit({ max: limit.max, timeWindow: limit.timeWindow, keyGenerator: subjectKey });
    const hook: preHandlerAsyncHookHandler = async (req, reply) => {
      const r = await check(req);
      if (!r.isAllowed && r.isExceeded) {
        void reply.header("retry-after", r.ttlInSeconds);
        throw commonError(429, "RATE_LIMITED");
      }
    };
    route.preHandler = [...(Array.isArray(route.preHandler) ? route.preHandler : route.preHandler ? [route.preHandler] : []), hook];
  });
  // API answers carry personal data and change with every action: never stored by browsers or proxies.
  app.addHook("onSend", async (req, reply) => {
    if (req.url.startsWith("/api/") && !reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
  });
});
