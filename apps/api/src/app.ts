import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { AppDeps } from "./context.js";
import { errorsPlugin } from "./plugins/errors.js";
import { securityPlugin } from "./plugins/security.js";
import { connectionPlugin } from "./plugins/connection.js";
import { openapiPlugin } from "./plugins/openapi.js";
import { authPlugin } from "./plugins/auth.js";
import { healthRoutes } from "./routes/health.js";
import { staffAuthRoutes } from "./routes/staff-auth.js";
import { fileRoutes } from "./routes/files.js";
import multipart from "@fastify/multipart";
import { wxLoginRoutes } from "./routes/wx-login.js";
import { graduateBasicsRoutes } from "./routes/graduate-basics.js";
import { captureCodeRoutes } from "./routes/capture-code.js";
import { paymentRoutes } from "./routes/payment.js";
import { payNotifyRoutes } from "./routes/pay-notify.js";
import { photoRoutes, MAX_UPLOAD_BYTES } from "./routes/photos.js";
import { photoPrecheckRoutes } from "./routes/photo-precheck.js";
import { comparisonRoutes } from "./routes/comparison.js";
import { subscriptionRoutes } from "./routes/subscriptions.js";
import { staffJourneyRoutes } from "./routes/staff-journey.js";
import { devRoutes } from "./routes/dev.js";
import { staffAccountRoutes } from "./routes/staff-accounts.js";
import { staffCampaignRoutes } from "./routes/staff-campaigns.js";
import { staffRosterRoutes } from "./routes/staff-roster.js";
import { staffInsightRoutes } from "./routes/staff-insights.js";
import { staffReviewAdminRoutes } from "./routes/staff-review-admin.js";
import { staffServiceRoutes } from "./routes/staff-service.js";
import { staffRetentionRoutes } from "./routes/staff-retention.js";
import { staffExportRoutes } from "./routes/staff-exports.js";

export interface RouteRecord {
  method: string;
  url: string;
  auth?: string;
  roles?: string[];
}

declare module "fastify" {
  interface FastifyInstance {
    routeTable: RouteRecord[];
  }
}

export interface BuildOptions {
  logger?: boolean | { level: string };
}

/** The HTTP application: one plugin per concern, routes declare who may call them. */
export async function buildApp(deps: AppDeps, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger === false ? false : {
      level: typeof opts.logger === "object" ? opts.logger.level : deps.config.env.LOG_LEVEL,
      // No PII in logs: never the Authorization header, bodies or query strings with tokens.
      redact: { paths: ["req.headers.authorization", "req.headers.cookie"], remove: true },
      serializers: {
        req: (req) => ({ method: req.method, url: (req.url as string).split("?")[0], reqId: req.id }),
      },
    },
    trustProxy: deps.config.env.TRUST_PROXY,
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: "x-request-id",
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate("deps", deps);
  // Route table for the authorisation test: every route must say who may call it.
  const routeTable: RouteRecord[] = [];
  app.decorate("routeTable", routeTable);
  app.addHook("onRoute", (r) => {
    // Swagger UI's static routes and the CORS preflight handler are public by nature.
    if (r.url.startsWith("/docs") || (r.method === "OPTIONS" && r.url === "*")) r.config = { ...(r.config ?? {}), auth: "public" };
    for (const method of [r.method].flat()) routeTable.push({ method, url: r.url, auth: r.config?.auth, roles: r.config?.roles });
  });
  app.addHook("onSend", async (req, reply) => {
    void reply.header("x-request-id", req.id);
  });

  await app.register(connectionPlugin);
  await app.register(errorsPlugin);
  await app.register(securityPlugin);
  await app.register(openapiPlugin);
  await app.register(authPlugin);
  await app.register(healthRoutes);
  await app.register(staffAuthRoutes);
  await app.register(fileRoutes);
  // Uploads are size-limited while streaming, before any decoding.
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, fieldSize: 1024 } });
  await app.register(wxLoginRoutes);
  await app.register(graduateBasicsRoutes);
  await app.register(captureCodeRoutes);
  await app.register(paymentRoutes);
  await app.register(payNotifyRoutes);
  await app.register(photoRoutes);
  await app.register(photoPrecheckRoutes);
  await app.register(comparisonRoutes);
  await app.register(subscriptionRoutes);
  await app.register(staffJourneyRoutes);
  await app.register(devRoutes);
  await app.register(staffAccountRoutes);
  await app.register(staffCampaignRoutes);
  await app.register(staffRosterRoutes);
  await app.register(staffInsightRoutes);
  await app.register(staffReviewAdminRoutes);
  await app.register(staffServiceRoutes);
  await app.register(staffRetentionRoutes);
  await app.register(staffExportRoutes);
  return app;
}
