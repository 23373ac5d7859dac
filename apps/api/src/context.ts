import type { Db } from "@gradphoto/db";
import type { JobQueue } from "@gradphoto/jobs";
import type { ObjectStorage } from "@gradphoto/storage";
import type { AppConfig } from "@gradphoto/config";
import type { MiniProgramClient, WechatPayClient } from "@gradphoto/wechat";

/** What route handlers may use; built once per process (server.ts) or per test. */
export interface AppDeps {
  config: AppConfig;
  db: Db;
  storage: ObjectStorage;
  jobs?: JobQueue;
  /** WeChat clients; absent when not configured (login and payment then answer 503). */
  wechat: { mini?: MiniProgramClient; pay?: WechatPayClient };
}

/** Who may call a route. Every route declares one (a test fails for a route without it). */
export type RouteAuth = "public" | "graduate" | "staff";

declare module "fastify" {
  interface FastifyInstance {
    deps: AppDeps;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** staff roles allowed (default: any staff role) */
    roles?: Array<"OPERATOR" | "SCHOOL_ADMIN" | "REVIEWER" | "CUSTOMER_SERVICE">;
    /** a limit per authenticated graduate / staff member, in addition to the per-IP limit */
    subjectRateLimit?: { max: number; timeWindow: string };
  }
}
