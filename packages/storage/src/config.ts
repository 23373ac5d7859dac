import path from "node:path";
import { z } from "zod";
import { LocalStorage } from "./local.js";
import { S3Storage } from "./s3.js";
import type { ObjectStorage } from "./types.js";

/** Storage settings as read from the environment (validated by the app's config). */
export const StorageConfigSchema = z.discriminatedUnion("driver", [
  z.object({
    driver: z.literal("local"),
    root: z.string().min(1),
    publicBaseUrl: z.string().url(),
    signingSecret: z.string().min(16),
  }),
  z.object({
    driver: z.literal("s3"),
    bucket: z.string().min(1),
    region: z.string().min(1),
    endpoint: z.string().url().optional(),
    accessKeyId: z.string().min(1),
    secretAccessKey: z.string().min(1),
    forcePathStyle: z.boolean().optional(),
    prefix: z.string().optional(),
  }),
]);
export type StorageConfig = z.infer<typeof StorageConfigSchema>;

export function createStorage(cfg: StorageConfig): ObjectStorage {
  return cfg.driver === "local" ? new LocalStorage({ ...cfg, root: path.resolve(cfg.root) }) : new S3Storage(cfg);
}
