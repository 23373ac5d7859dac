import { createHash } from "node:crypto";
import { z } from "zod";
import type { StorageConfig } from "@gradphoto/storage";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const DEV_SECRET = "gradphoto-development-secret-do-not-use-in-production";

/** Every setting the API and worker read from the environment. One schema: validation, types and docs. */
export const EnvSchema = z
  .object({
    /**
     * Production unless a development switch is given explicitly: `development` (npm start,
     * scripts/dev.ts) or `test` (the test harness). Production refuses to start without real secrets.
     */
    NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
    HOST: z.string().default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_BASE_URL: z.string().url().optional(),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL").optional(),
    DATA_DIR: z.string().optional(),
    STORAGE_DRIVER: z.enum(["local", "s3"]).default("local"),
    S3_BUCKET: z.string().optional(),
    S3_REGION: z.string().default("us-east-1"),
    S3_ENDPOINT: z.string().url().optional(),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    S3_FORCE_PATH_STYLE: bool.optional(),
    S3_PREFIX: z.string().optional(),
    SIGNING_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    CORS_ORIGINS: z.string().default("http://127.0.0.1:5173,http://localhost:5173,http://127.0.0.1:10086,http://localhost:10086"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    GRADUATE_SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(72),
    STAFF_SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 7).default(12),
    STAFF_MAX_FAILED_LOGINS: z.coerce.number().int().min(1).default(5),
    STAFF_LOCKOUT_MINUTES: z.coerce.number().int().min(1).default(15),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(300),
    LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(20),
    RUN_WORKERS: bool.default(true),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
    /** PostgreSQL schema of the job queue's tables (processes sharing work must share it) */
    JOBS_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "lower-case letters, digits and _").default("pgboss"),
    TRUST_PROXY: bool.default(false),
    MODEL_DIR: z.string().optional(),
    /** originals one graduate may have stored in total (every retake keeps its original) */
    PHOTO_STORAGE_PER_GRADUATE_MB: z.coerce.number().int().min(1).default(300),
    /** face recognition model card (JSON beside the ONNX file); default: the bundled model's card in packages/face/models */
    FACE_MODEL_CARD: z.string().optional(),
    /** Tencent Cloud CompareFace for campaigns whose face provider is "tencent" (without them those campaigns use the local model) */
    TENCENTCLOUD_SECRET_ID: z.string().optional(),
    TENCENTCLOUD_SECRET_KEY: z.string().optional(),
    TENCENT_IAI_ENDPOINT: z.string().default("iai.tencentcloudapi.com"),
    TENCENT_IAI_PROTOCOL: z.enum(["https", "http"]).default("https"),
    TENCENT_IAI_REGION: z.string().optional(),
    TENCENT_IAI_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    /** AES-256-GCM key for full ID numbers in the roster: 32 bytes as base64 or 64 hex digits */
    ID_ENCRYPTION_KEY: z
      .string()
      .refine((v) => decodeKey(v) !== null, "must be 32 bytes as base64 or 64 hex digits")
      .optional(),
    /** how long an export archive stays downloadable (hours) */
    EXPORT_RETENTION_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(72),
    /** development only: the fake WeChat server the H5 build logs in and pays through */
    DEV_FAKE_WECHAT_URL: z.string().url().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.STORAGE_DRIVER === "s3") {
      for (const k of ["S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const) {
        if (!env[k]) ctx.addIssue({ code: "custom", path: [k], message: "is required when STORAGE_DRIVER=s3" });
      }
    }
    if (env.NODE_ENV === "production") {
      // A deployment that forgets one variable must not run open: no public development secret,
      // no key derived from it, no development-only fake WeChat.
      const hint = " (production is the default; NODE_ENV=development is the switch for local development)";
      if (!env.SIGNING_SECRET) ctx.addIssue({ code: "custom", path: ["SIGNING_SECRET"], message: `is required in production${hint}` });
      else if (env.SIGNING_SECRET === DEV_SECRET) ctx.addIssue({ code: "custom", path: ["SIGNING_SECRET"], message: "is the public development secret; set a random one" });
      if (!env.ID_ENCRYPTION_KEY) ctx.addIssue({ code: "custom", path: ["ID_ENCRYPTION_KEY"], message: `is required in production${hint}` });
      if (env.DEV_FAKE_WECHAT_URL) ctx.addIssue({ code: "custom", path: ["DEV_FAKE_WECHAT_URL"], message: "is only allowed with NODE_ENV=development" });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

export interface AppConfig {
  env: Env;
  publicBaseUrl: string;
  signingSecret: string;
  corsOrigins: string[];
  storage: StorageConfig;
  dataDir?: string;
  /** 32-byte AES-256-GCM key for ID numbers at rest (derived from the signing secret in development) */
  idEncryptionKey: Buffer;
  /** development or test: public development keys (signing secret, demo 采集码 key) are accepted */
  developmentMode: boolean;
}

/** 32 bytes from base64 or hex, or null. */
function decodeKey(v: string): Buffer | null {
  const s = v.trim();
  const b = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, "hex") : Buffer.from(s, "base64");
  return b.length === 32 ? b : null;
}

/** Thrown for bad settings; its message is one line meant for the operator. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env, dataDir: string = source.DATA_DIR ?? ".data"): AppConfig {
  // Empty strings mean "unset" (a common shell/compose habit).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const parts = parsed.error.issues.map((i) => {
      const key = i.path.join(".");
      const got = typeof cleaned[key] === "string" ? ` (got "${String(cleaned[key]).slice(0, 40)}")` : "";
      return `${key} ${i.message}${got}`;
    });
    throw new ConfigError(`invalid configuration: ${parts.join("; ")}`);
  }
  const env = parsed.data;
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://${env.HOST === "0.0.0.0" ? "127.0.0.1" : env.HOST}:${env.PORT}`).replace(/\/$/, "");
  const signingSecret = env.SIGNING_SECRET ?? DEV_SECRET;
  const storage: StorageConfig =
    env.STORAGE_DRIVER === "s3"
      ? {
          driver: "s3",
          bucket: env.S3_BUCKET!,
          region: env.S3_REGION,
          endpoint: env.S3_ENDPOINT,
          accessKeyId: env.S3_ACCESS_KEY_ID!,
          secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
          forcePathStyle: env.S3_FORCE_PATH_STYLE,
          prefix: env.S3_PREFIX,
        }
      : { driver: "local", root: `${env.DATA_DIR ?? dataDir}/objects`, publicBaseUrl: `${publicBaseUrl}/files`, signingSecret };
  return {
    env,
    publicBaseUrl,
    signingSecret,
    corsOrigins: env.CORS_ORIGINS.split(",").map((s) => s.trim()).filter(Boolean),
    storage,
    dataDir: env.DATA_DIR,
    idEncryptionKey: env.ID_ENCRYPTION_KEY ? decodeKey(env.ID_ENCRYPTION_KEY)! : createHash("sha256").update(`gradphoto id-number key\n${signingSecret}`).digest(),
    developmentMode: env.NODE_ENV !== "production",
  };
}
