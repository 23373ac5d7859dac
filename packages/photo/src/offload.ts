import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { loadModel, ort, ortSessionOptions, readModelBytes } from "@gradphoto/vision";

/**
 * A model session on its own worker thread, so that two models run at once on a two-core machine:
 * ONNX Runtime's Node binding runs `session.run` synchronously on the calling thread, so sessions of
 * one thread never overlap. The segmentation step sends PP-HumanSeg here (19 ms) while the main thread
 * runs the skin/clothes/hair model (12 ms). Same bytes (sha256-verified, subnormals flushed) and the
 * same session options as the vision registry's. If the worker cannot start, runs fall back to the
 * in-process session (results are identical either way).
 */
export class OffThreadModel {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private failed = false;
  private nextId = 0;
  private pending = new Map<number, { resolve: (v: { data: Float32Array; dims: number[] }) => void; reject: (e: Error) => void }>();

  constructor(private readonly id: string) {}

  /** True once the model runs on its worker thread (false before loading, or after a fallback). */
  get threaded(): boolean {
    return !!this.worker && !this.failed;
  }

  /** Starts the worker and loads the model (once). */
  load(): Promise<void> {
    if (!this.ready) this.ready = this.start().catch(() => this.fallBack());
    return this.ready;
  }

  async run(input: string, data: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: number[] }> {
    await this.load();
    if (this.failed || !this.worker) {
      const s = await loadModel(this.id);
      const out = await s.run({ [input]: new ort.Tensor("float32", data, dims) });
      const t = Object.values(out)[0]!;
      return { data: t.data as Float32Array, dims: [...t.dims] };
    }
    return this.post({ type: "run", input, data, dims }, [data.buffer as ArrayBuffer]);
  }

  private post(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<{ data: Float32Array; dims: number[] }> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.ref(); // keep the process alive while a run is pending
      this.worker!.postMessage({ ...msg, id }, transfer);
    });
  }

  private async start(): Promise<void> {
    if (process.env.PHOTO_WORKERS === "0") throw new Error("workers disabled");
    const bytes = await readModelBytes(this.id); // verified, subnormals flushed
    // onnxruntime-node is a dependency of @gradphoto/vision: resolve it from there
    const visionEntry = createRequire(import.meta.url).resolve("@gradphoto/vision");
    const ortPath = createRequire(visionEntry).resolve("onnxruntime-node");
    const worker = new Worker(fileURLToPath(new URL("./session-worker.mjs", import.meta.url)), { workerData: { ortPath } });
    worker.on("message", (msg: { id: number; data?: Float32Array; dims?: number[]; error?: string; ok?: boolean }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) worker.unref();
      if (msg.error) p.reject(new Error(msg.error));
      else p.resolve({ data: msg.data ?? new Float32Array(0), dims: msg.dims ?? [] });
    });
    const lost = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.worker = null;
      this.failed = true; // later runs use the in-process session
    };
    worker.on("error", lost);
    worker.on("exit", (code) => lost(new Error(`session worker exited (${code})`)));
    this.worker = worker;
    await this.post({
      type: "load",
      bytes,
      options: ortSessionOptions(),
    });
  }

  private async fallBack(): Promise<void> {
    this.failed = true;
    if (this.worker) void this.worker.terminate();
    this.worker = null;
    await loadModel(this.id);
  }
}

/** PP-HumanSeg, run off the main thread. */
export const personSegModel = new OffThreadModel("person-seg");
