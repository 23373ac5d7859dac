import { createRequire } from "node:module";
import os from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { CaptureCodeError, ERROR_MESSAGES, type CaptureCodeErrorCode } from "../errors.js";
import type { QrDecodeResult } from "./decoder.js";

/**
 * Decodes 采集码 images on worker threads. The decoder is pure JavaScript (jsQR plus our own
 * binarisation) and can take over a second on a large picture without a code; on the API's main
 * thread that would stall every other request. Workers start lazily, are reused, and are unref'd
 * so an idle pool never keeps the process alive.
 */
export interface DecodePoolOptions {
  /** worker threads (default: cores − 1, at least 1, at most 4) */
  size?: number;
  /** per-image decode budget passed to the decoder */
  timeBudgetMs?: number;
}

interface Pending {
  resolve: (r: QrDecodeResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: number;
}

type Reply = { id: number; result?: QrDecodeResult; error?: { code: CaptureCodeErrorCode; detail?: string } };

export class DecodePool {
  private readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending & { slot: Slot }>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: DecodePoolOptions = {}) {
    this.size = opts.size ?? Math.min(4, Math.max(1, os.availableParallelism() - 1));
  }

  decode(bytes: Uint8Array): Promise<QrDecodeResult> {
    if (this.closed) return Promise.reject(new CaptureCodeError("PROVIDER_UNAVAILABLE", "decode pool is closed"));
    const slot = this.pickSlot();
    const id = this.nextId++;
    // A copy is transferred: the caller keeps its buffer (uploads are also stored).
    const copy = Uint8Array.from(bytes);
    return new Promise<QrDecodeResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      slot.busy++;
      slot.worker.ref();
      slot.worker.postMessage({ id, bytes: copy, timeBudgetMs: this.opts.timeBudgetMs }, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  /** The least busy worker; a new one while the pool is below its size. */
  private pickSlot(): Slot {
    const idle = this.slots.find((s) => s.busy === 0);
    if (idle) return idle;
    if (this.slots.length < this.size) return this.spawn();
    return this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  private spawn(): Slot {
    const worker = workerEntry.ts
      ? new Worker(`import(${JSON.stringify(workerEntry.tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerEntry.url)}); })`, { eval: true })
      : new Worker(new URL(workerEntry.url));
    const slot: Slot = { worker, busy: 0 };
    worker.unref();
    worker.on("message", (m: Reply) => this.settle(slot, m));
    worker.on("error", (err) => this.fail(slot, err));
    worker.on("exit", (code) => this.fail(slot, new Error(`decode worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private settle(slot: Slot, m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (--slot.busy === 0) slot.worker.unref();
    if (m.result) p.resolve(m.result);
    else {
      const code = m.error && m.error.code in ERROR_MESSAGES ? m.error.code : "INVALID_IMAGE";
      p.reject(new CaptureCodeError(code, m.error?.detail));
    }
  }

  /**
   * A crashed worker fails its own jobs (as "decoding unavailable, try again": a server fault, not
   * an unreadable code) and leaves the pool; the next decode starts a fresh one.
   */
  private fail(slot: Slot, cause: Error): void {
    const err = new CaptureCodeError("PROVIDER_UNAVAILABLE", `decode worker failed: ${cause.message}`, { cause });
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.reject(err);
    }
  }
}

/**
 * The worker's entry file. From TypeScript sources (development, tests, `tsx`) the worker first
 * registers tsx's loader (loader flags are not inherited by workers on Node 20); a compiled build
 * runs worker.js directly.
 */
const workerEntry = (() => {
  const ts = import.meta.url.endsWith(".ts");
  // require.resolve finds tsx's CJS API; its ESM build (what import() needs) sits beside it
  const tsx = ts ? pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href : "";
  return { ts, tsx, url: import.meta.url.replace(/pool\.(ts|js)$/, `worker.${ts ? "ts" : "js"}`) };
})();
