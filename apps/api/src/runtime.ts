import { createDb, migrate, resolveDatabase, type Db, type ResolvedDatabase } from "@gradphoto/db";
import { JobQueue } from "@gradphoto/jobs";
import { createStorage, type ObjectStorage } from "@gradphoto/storage";
import type { AppConfig } from "@gradphoto/config";
import type { AppDeps } from "./context.js";
import { MiniProgramClient, WechatPayClient, miniProgramOptionsFromEnv, wechatPayOptionsFromEnv } from "@gradphoto/wechat";
import { registerWorkers } from "./workers.js";
import { sealPlaintextPhones } from "./services/admin/phone-backfill.js";

export interface Runtime {
  deps: AppDeps;
  database: ResolvedDatabase;
  /** stops the queue (waiting up to timeoutMs for running jobs), then closes the pools */
  close(opts?: { timeoutMs?: number }): Promise<void>;
}

/**
 * Connects everything a process needs: the database (embedded PGlite when DATABASE_URL is unset),
 * migrations, object storage and the job queue; workers start here unless RUN_WORKERS=false.
 */
export async function createRuntime(config: AppConfig, opts: { migrate?: boolean; workers?: boolean; log?: (m: string) => void } = {}): Promise<Runtime> {
  const database = await resolveDatabase({ databaseUrl: config.env.DATABASE_URL, dataDir: config.dataDir });
  if (opts.migrate ?? true) await migrate(database.url, { log: opts.log });
  const db: Db = createDb(database.url, { poolMax: database.kind === "embedded" ? 4 : 10 });
  // Rows from before the phone_encrypted migration: encrypt with the key only this process has.
  if (opts.migrate ?? true) {
    const sealed = await sealPlaintextPhones(db, config.idEncryptionKey);
    if (sealed > 0) opts.log?.(`encrypted ${sealed} plaintext roster phone numbers`);
  }
  const storage: ObjectStorage = createStorage(config.storage);
  const jobs = new JobQueue({ connectionString: database.url, schema: config.env.JOBS_SCHEMA, poolMax: database.kind === "embedded" ? 2 : 4, log: (m, e) => opts.log?.(e === undefined ? m : `${m}: ${e instanceof Error ? e.message : String(e)}`) });
  await jobs.start();
  const mini = miniProgramOptionsFromEnv();
  const payOpts = wechatPayOptionsFromEnv();
  const wechat = { mini: mini ? new MiniProgramClient(mini) : undefined, pay: payOpts ? new WechatPayClient(payOpts) : undefined };
  const deps: AppDeps = { config, db, storage, jobs, wechat };
  if (opts.workers ?? config.env.RUN_WORKERS) await registerWorkers(deps);
  return {
    deps,
    database,
    async close(closeOpts = {}) {
      await jobs.stop({ graceful: true, timeoutMs: closeOpts.timeoutMs ?? 20_000 }).catch(() => undefined);
      await db.$disconnect().catch(() => undefined);
      await database.close();
    },
  };
}
