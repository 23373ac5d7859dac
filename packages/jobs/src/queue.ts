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
  /**
   * Liveness window: while a handler runs, its worker reports every `expireInSeconds / 5` s; a job
   * whose worker stayed silent this long (killed, frozen, cut off) is lost and retried at once by any
   * live process. Size it to the longest single step that blocks the event loop, not to the whole job.
   * Default 30.
   */
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
  /** how often pg-boss's own maintenance runs (archive, its backstop expiry; seconds) */
  maintenanceIntervalSeconds?: number;
  /** how often this process looks for lost jobs (no heartbeat within their window) to retry (seconds) */
  rescueIntervalSeconds?: number;
  /** job failures, retries and rescues, each with the job id; and queue errors */
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
 *
 * Workers fetch and settle jobs themselves (not `boss.work`) so a running job can report liveness: its
 * `started_on` is refreshed every `expireInSeconds / 5` s, and every process sweeps jobs whose worker
 * went silent for `expireInSeconds` back into the queue immediately (a killed worker's jobs run again
 * within seconds, however long the job itself is). pg-boss's own expiry stays as a backstop at 3×.
 */
export class JobQueue {
  private readonly boss: PgBoss;
  private readonly created = new Set<string>();
  private readonly schemaSql: string;
  private started = false;
  private stopping = false;
  private rescueTimer: NodeJS.Timeout | undefined;
  /** running handlers, for a graceful stop: job id → settled promise and its queue */
  private readonly active = new Map<string, { name: string; done: Promise<void> }>();
  private readonly loops: Promise<void>[] = [];
  private readonly wake = new Set<() => void>();

  constructor(private readonly opts: JobQueueOptions) {
    this.schemaSql = `"${(opts.schema ?? "pgboss").replace(/"/g, '""')}"`;
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
    this.stopping = false;
    const every = Math.max(0.5, this.opts.rescueIntervalSeconds ?? 2) * 1000;
    this.rescueTimer = setInterval(() => void this.rescueLost().catch((e) => this.opts.log?.("job rescue sweep failed", e)), every);
    this.rescueTimer.unref();
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
      // pg-boss's expiry is only the backstop; the liveness window is enforced by rescueLost().
      expireInSeconds: livenessSeconds(def) * BACKSTOP_FACTOR,
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
    for (let i = 0; i < n; i++) this.loops.push(this.loop(def, handler as (payload: unknown, ctx: JobContext) => Promise<void>));
  }

  private async loop(def: JobDefinition<z.ZodType>, handler: (payload: unknown, ctx: JobContext) => Promise<void>): Promise<void> {
    const idleMs = Math.max(0.5, this.opts.pollingIntervalSeconds ?? 1) * 1000;
    while (this.started && !this.stopping) {
      let job: PgBoss.JobWithMetadata<unknown> | undefined;
      try {
        [job] = await this.boss.fetch<unknown>(def.name, { batchSize: 1, includeMetadata: true });
      } catch (e) {
        if (this.stopping || !this.started) return;
        this.opts.log?.(`job fetch failed for ${def.name}`, e);
      }
      if (!job) {
        await this.sleep(idleMs);
        continue;
      }
      const done = this.run(def, handler, job);
      this.active.set(job.id, { name: def.name, done });
      await done;
      this.active.delete(job.id);
    }
  }

  private async run(def: JobDefinition<z.ZodType>, handler: (payload: unknown, ctx: JobContext) => Promise<void>, job: PgBoss.JobWithMetadata<unknown>): Promise<void> {
    const attempt = job.retryCount + 1;
    const tries = job.retryLimit + 1;
    let lost = false;
    const beat = setInterval(() => {
      void this.heartbeat(def.name, job.id).then(
        (alive) => {
          if (!alive && !lost) {
            lost = true;
            this.opts.log?.(`job ${def.name} ${job.id} was taken back while running (attempt ${attempt}/${tries}): its result will be ignored`);
          }
        },
        (e) => this.opts.log?.(`job ${def.name} ${job.id} heartbeat failed`, e),
      );
    }, (livenessSeconds(def) * 1000) / 5);
    try {
      const parsed = def.schema.safeParse(job.data);
      // A malformed payload will never succeed: fail it without burning retries on it.
      if (!parsed.success) throw new InvalidJobPayloadError(def.name, parsed.error.message);
      await handler(parsed.data, { id: job.id, attempt });
      clearInterval(beat);
      if (!lost) await this.boss.complete(def.name, job.id);
    } catch (e) {
      clearInterval(beat);
      const message = e instanceof Error ? e.message : String(e);
      const retry = attempt < tries && !(e instanceof InvalidJobPayloadError);
      if (e instanceof InvalidJobPayloadError) await this.settleInvalid(def.name, job.id);
      if (lost) return;
      this.opts.log?.(`job ${def.name} ${job.id} failed on attempt ${attempt}/${tries}: ${message}; ${retry ? "will retry" : "no retries left: moved to the dead-letter queue"}`);
      await this.boss.fail(def.name, job.id, { message: message.slice(0, 1000) }).catch((err) => this.opts.log?.(`job ${def.name} ${job.id} could not be marked failed`, err));
    }
  }

  /** A payload that can never parse: exhaust its retries so the failure goes straight to the dead letter. */
  private async settleInvalid(name: string, id: string): Promise<void> {
    await this.boss.getDb().executeSql(`UPDATE ${this.schemaSql}.job SET retry_count = retry_limit WHERE name = $1 AND id = $2 AND state = 'active'`, [name, id]);
  }

  /** Refreshes a running job's liveness; false when the job is no longer ours (rescued elsewhere). */
  private async heartbeat(name: string, id: string): Promise<boolean> {
    const r = await this.boss.getDb().executeSql(`UPDATE ${this.schemaSql}.job SET started_on = now() WHERE name = $1 AND id = $2 AND state = 'active' RETURNING id`, [name, id]);
    return r.rows.length === 1;
  }

  /**
   * Puts jobs whose worker went silent for their liveness window back into the queue, to run now (the
   * next fetch counts the attempt); those without retries left are failed into the dead-letter queue.
   * Safe to run in every process at once: each row moves once.
   */
  async rescueLost(): Promise<number> {
    if (!this.started || this.stopping) return 0;
    const db = this.boss.getDb();
    const silent = `state = 'active' AND started_on + expire_in / ${BACKSTOP_FACTOR} < now()`;
    const retried = await db.executeSql(
      `UPDATE ${this.schemaSql}.job SET state = 'retry', start_after = now(),
         output = jsonb_build_object('message', 'worker lost: no heartbeat for ' || round(EXTRACT(epoch FROM now() - started_on)) || ' s')
       WHERE ${silent} AND retry_count < retry_limit
       RETURNING id, name, retry_count, retry_limit, round(EXTRACT(epoch FROM now() - started_on)) AS silent_s`,
      [],
    );
    for (const r of retried.rows as Array<{ id: string; name: string; retry_count: number; retry_limit: number; silent_s: string }>) {
      this.opts.log?.(`job ${r.name} ${r.id} lost its worker (no heartbeat for ${r.silent_s} s on attempt ${r.retry_count + 1}/${r.retry_limit + 1}): retrying now`);
    }
    const exhausted = await db.executeSql(`SELECT id, name FROM ${this.schemaSql}.job WHERE ${silent} AND retry_count >= retry_limit`, []);
    for (const r of exhausted.rows as Array<{ id: string; name: string }>) {
      this.opts.log?.(`job ${r.name} ${r.id} lost its worker on its last attempt: moved to the dead-letter queue`);
      await this.boss.fail(r.name, r.id, { message: "worker lost on the last attempt" });
    }
    return retried.rows.length + exhausted.rows.length;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wake.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake.add(done);
    });
  }

  async getJob(def: JobDefinition<z.ZodType>, id: string): Promise<{ state: string; retryCount: number; output: unknown } | null> {
    const j = await this.boss.getJobById(def.name, id);
    return j ? { state: j.state, retryCount: j.retryCount, output: j.output } : null;
  }

  /** How many jobs ran out of retries and wait in the dead-letter queue. */
  async deadLetterCount(def: JobDefinition<z.ZodType>): Promise<number> {
    return this.boss.getQueueSize(`${def.name}.dead`);
  }

  /**
   * Stops fetching, waits for running handlers (graceful, up to `timeoutMs`), puts back any still
   * running so another process takes them over at once, then closes the pool.
   */
  async stop(opts: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    clearInterval(this.rescueTimer);
    for (const w of [...this.wake]) w();
    const graceful = opts.graceful ?? true;
    if (graceful && this.active.size > 0) {
      const all = Promise.all([...this.active.values()].map((a) => a.done));
      await Promise.race([all, new Promise((r) => setTimeout(r, opts.timeoutMs ?? 30_000).unref())]);
    }
    const unfinished = [...this.active.entries()];
    if (unfinished.length > 0) {
      await this.boss
        .getDb()
        .executeSql(`UPDATE ${this.schemaSql}.job SET state = 'retry', start_after = now() WHERE id = ANY($1::uuid[]) AND state = 'active' AND retry_count < retry_limit`, [unfinished.map(([id]) => id)])
        .then(() => unfinished.forEach(([id, a]) => this.opts.log?.(`job ${a.name} ${id} still running at shutdown: handed back to the queue`)))
        .catch((e) => this.opts.log?.("could not hand back running jobs at shutdown", e));
    }
    this.started = false;
    await this.boss.stop({ graceful: false, wait: true, timeout: 5_000 });
  }
}

const BACKSTOP_FACTOR = 3;
const livenessSeconds = (def: JobDefinition<z.ZodType>) => Math.max(2, def.expireInSeconds ?? 30);

/** Deterministic UUID (v5-shaped) from queue name and key. */
function idFromKey(name: string, key: string): string {
  const h = createHash("sha256").update(`${name}\n${key}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
