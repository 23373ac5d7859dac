import { createHash } from "node:crypto";
import PgBoss from "pg-boss";
import type { z } from "zod";

/** A job type: its queue name, payload schema and retry policy. */
export interface JobDefinition<S extends z.ZodType> {
  name: string;
  schema: S;
  retryLimit?: number;
  /** seconds before the first retry; doubled each time with retryBackoff */
  retryDelay?: number;
  retryBackoff?: boolean;
  /** a job still active after this long is considered lost (crashed worker) and retried */
  expireInSeconds?: number;
}

export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}

export interface JobQueueOptions {
  connectionString: string;
  /** PostgreSQL schema for the queue tables */
  schema?: string;
  /** connections in the queue's own pool */
  poolMax?: number;
  /** how often workers poll when idle (seconds, ≥ 0.5) */
  pollingIntervalSeconds?: number;
  /** how often expired jobs are swept back into retry (seconds) */
  maintenanceIntervalSeconds?: number;
  log?: (msg: string, err?: unknown) => void;
  /** overrides every job's retry delay (seconds, no backoff): for tests that exercise retries */
  retryDelayOverrideSeconds?: number;
}

export interface JobContext {
  id: string;
  /** 1 for the first try, then 2, 3 … */
  attempt: number;
}

export class InvalidJobPayloadError extends Error {
  constructor(queue: string, issues: string) {
    super(`invalid payload for ${queue}: ${issues}`);
    this.name = "InvalidJobPayloadError";
  }
}

/**
 * Background jobs on pg-boss (PostgreSQL). Each job type gets its queue and a dead-letter queue
 * (`<name>.dead`) that receives jobs whose retries are exhausted. Handlers must be idempotent:
 * a job can run again after a crash.
 */
export class JobQueue {
  private readonly boss: PgBoss;
  private readonly created = new Set<string>();
  private started = false;

  constructor(private readonly opts: JobQueueOptions) {
    this.boss = new PgBoss({
      connectionString: opts.connectionString,
      schema: opts.schema ?? "pgboss",
      max: opts.poolMax ?? 4,
      application_name: "gradphoto-jobs",
      supervise: true,
      schedule: false,
      migrate: true,
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 30,
    });
    this.boss.on("error", (err) => opts.log?.("job queue error", err));
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    this.started = true;
  }

  private async ensureQueue(def: JobDefinition<z.ZodType>): Promise<void> {
    if (this.created.has(def.name)) return;
    const dead = `${def.name}.dead`;
    if (!(await this.boss.getQueue(dead))) await this.boss.createQueue(dead, { name: dead, retryLimit: 0, retentionDays: 30 });
    const options: PgBoss.Queue = {
      name: def.name,
      retryLimit: def.retryLimit ?? 5,
      retryDelay: this.opts.retryDelayOverrideSeconds ?? def.retryDelay ?? 5,
      retryBackoff: this.opts.retryDelayOverrideSeconds !== undefined ? false : (def.retryBackoff ?? true),
      expireInSeconds: def.expireInSeconds ?? 300,
      deadLetter: dead,
    };
    if (await this.boss.getQueue(def.name)) await this.boss.updateQueue(def.name, options);
    else await this.boss.createQueue(def.name, options);
    this.created.add(def.name);
  }

  /**
   * Enqueues a job. With `singletonKey`, the job id is derived from the key, so sending the same key
   * again is dropped (returns null) while the first job is kept: idempotent enqueueing.
   */
  async send<S extends z.ZodType>(def: JobDefinition<S>, payload: z.input<S>, opts: { singletonKey?: string; startAfterSeconds?: number } = {}): Promise<string | null> {
    const parsed = def.schema.safeParse(payload);
    if (!parsed.success) throw new InvalidJobPayloadError(def.name, parsed.error.message);
    await this.ensureQueue(def as JobDefinition<z.ZodType>);
    return this.boss.send(def.name, parsed.data as object, {
      id: opts.singletonKey ? idFromKey(def.name, opts.singletonKey) : undefined,
      startAfter: opts.startAfterSeconds,
    });
  }

  /** Starts `concurrency` polling workers for a job type in this process. */
  async work<S extends z.ZodType>(def: JobDefinition<S>, handler: (payload: z.output<S>, ctx: JobContext) => Promise<void>, opts: { concurrency?: number } = {}): Promise<void> {
    await this.ensureQueue(def as JobDefinition<z.ZodType>);
    const n = Math.max(1, opts.concurrency ?? 1);
    for (let i = 0; i < n; i++) {
      await this.boss.work<unknown>(
        def.name,
        { batchSize: 1, pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 1, includeMetadata: true },
        async (jobs) => {
          for (const job of jobs) {
            const parsed = def.schema.safeParse(job.data);
            // A malformed payload will never succeed: fail it without burning retries on it.
            if (!parsed.success) throw new InvalidJobPayloadError(def.name, parsed.error.message);
            await handler(parsed.data, { id: job.id, attempt: job.retryCount + 1 });
          }
        },
      );
    }
  }

  async getJob(def: JobDefinition<z.ZodType>, id: string): Promise<{ state: string; retryCount: number; output: unknown } | null> {
    const j = await this.boss.getJobById(def.name, id);
    return j ? { state: j.state, retryCount: j.retryCount, output: j.output } : null;
  }

  /** How many jobs ran out of retries and wait in the dead-letter queue. */
  async deadLetterCount(def: JobDefinition<z.ZodType>): Promise<number> {
    return this.boss.getQueueSize(`${def.name}.dead`);
  }

  /** Waits for running handlers (up to `timeoutMs`), then closes the pool. */
  async stop(opts: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: opts.graceful ?? true, wait: true, timeout: opts.timeoutMs ?? 30_000 });
  }
}

/** Deterministic UUID (v5-shaped) from queue name and key. */
function idFromKey(name: string, key: string): string {
  const h = createHash("sha256").update(`${name}\n${key}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
