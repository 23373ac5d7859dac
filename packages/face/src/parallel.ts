import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { RgbImage } from "@gradphoto/vision";
import type { FaceModelConfig, PipelineOptions } from "./config.js";
import { FaceError, type FaceErrorCode, type ImageRole } from "./errors.js";
import type { EmbedCondition, FaceInfo } from "./pipeline.js";

/**
 * A worker thread that handles one of the two photos of a comparison, so that the photo and the
 * reference are detected and embedded at the same time on two cores. onnxruntime-node runs
 * inference synchronously on the calling thread, so a second thread with its own sessions is the
 * only way to overlap the two photos (a session with two intra-op threads was slower here: its
 * threads spin-wait and fight with other work). The worker keeps each analysed image until it has
 * embedded it (`embed`) or is told to forget it (`drop`).
 */
export interface SideWorkerData {
  config: FaceModelConfig;
  pipeline: PipelineOptions;
  modelDir: string;
}

export type SideRequest =
  | { op: "analyse"; id: number; input: Uint8Array | RgbImage; role: ImageRole }
  | { op: "embed"; id: number; ref: number; cond: EmbedCondition }
  | { op: "drop"; id: number; ref: number };

export interface SideReply {
  id: number;
  ready?: true;
  info?: FaceInfo;
  embedding?: Float32Array;
  error?: { code?: FaceErrorCode; message: string; image?: ImageRole | undefined };
}

/** A face analysed on the worker: what the condition matching needs, plus a handle for `embed`. */
export type RemoteAnalysis = FaceInfo & { ref: number };

export class SideWorker {
  private readonly pending = new Map<number, (r: SideReply) => void>();
  private nextId = 1;
  private busy = 0;
  private dead: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (r: SideReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (--this.busy === 0) worker.unref();
      p(r);
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const p of this.pending.values()) p({ id: -1, error: { message: err.message } });
      this.pending.clear();
      this.busy = 0;
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`face worker exited with code ${code}`)));
  }

  /** Starts the worker and waits until its models are loaded (rejects when they cannot be). */
  static async start(data: SideWorkerData): Promise<SideWorker> {
    const worker = workerEntry.ts
      ? new Worker(`import(${JSON.stringify(workerEntry.tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerEntry.url)}); })`, { eval: true, workerData: data })
      : new Worker(new URL(workerEntry.url), { workerData: data });
    const side = new SideWorker(worker);
    const ready = await side.reply(0); // the worker posts id 0 once its models are loaded
    if (!ready.ready) {
      await worker.terminate();
      throw toError(ready);
    }
    return side;
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Decodes (when given bytes) and analyses an image on the worker; throws FaceError as analyseFace does. */
  async analyse(input: Uint8Array | RgbImage, role: ImageRole): Promise<RemoteAnalysis> {
    // A copy is transferred: the caller keeps its buffer.
    const bytes = copyBytes(input instanceof Uint8Array ? input : input.data);
    const copy = input instanceof Uint8Array ? bytes : { data: bytes, width: input.width, height: input.height };
    const r = await this.request({ op: "analyse", id: this.nextId++, input: copy, role }, [bytes.buffer]);
    if (!r.info) throw toError(r);
    return { ...r.info, ref: r.id };
  }

  async embed(a: RemoteAnalysis, cond: EmbedCondition): Promise<Float32Array> {
    const r = await this.request({ op: "embed", id: this.nextId++, ref: a.ref, cond });
    if (!r.embedding) throw toError(r);
    return r.embedding;
  }

  /** Frees an analysis that will not be embedded. */
  drop(a: RemoteAnalysis): void {
    if (!this.dead) this.worker.postMessage({ op: "drop", id: this.nextId++, ref: a.ref } satisfies SideRequest);
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }

  private request(req: SideRequest, transfer: ArrayBuffer[] = []): Promise<SideReply> {
    const reply = this.reply(req.id);
    if (!this.dead) this.worker.postMessage(req, transfer);
    return reply;
  }

  /** The reply with this id; the worker is ref'd while replies are awaited, so an idle one never keeps the process alive. */
  private reply(id: number): Promise<SideReply> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.busy++;
      this.worker.ref();
    });
  }
}

function copyBytes(src: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(src.length);
  out.set(src);
  return out;
}

function toError(r: SideReply): Error {
  const e = r.error;
  if (e?.code) return new FaceError(e.code, e.image, e.message);
  return new Error(e?.message ?? "face worker: empty reply");
}

/**
 * The worker's entry file. From TypeScript sources (tsx, vitest) the worker first registers tsx's
 * loader (Node 20 workers do not inherit it), as packages/capture-code's decode pool does; a
 * compiled build runs side-worker.js directly.
 */
const workerEntry = (() => {
  const ts = import.meta.url.endsWith(".ts");
  const tsx = ts ? pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href : "";
  return { ts, tsx, url: import.meta.url.replace(/parallel\.(ts|js)$/, `side-worker.${ts ? "ts" : "js"}`) };
})();
