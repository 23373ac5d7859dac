// Worker-thread side of the parallel comparer (see parallel.ts): analyses and embeds one of the two
// photos of a comparison with its own ONNX sessions, so both photos are processed at the same time.
import { parentPort, workerData } from "node:worker_threads";
import { createFaceMatcher, type FaceMatcher } from "./comparer.js";
import { FaceError } from "./errors.js";
import type { FaceAnalysis } from "./pipeline.js";
import type { SideReply, SideRequest, SideWorkerData } from "./parallel.js";

const port = parentPort;
if (!port) throw new Error("face side worker must run in a worker thread");

const init = workerData as SideWorkerData;
const analyses = new Map<number, FaceAnalysis>();
let matcher: FaceMatcher;

const errorOf = (err: unknown): SideReply["error"] =>
  err instanceof FaceError ? { code: err.code, message: err.message, image: err.image } : { message: String((err as Error)?.message ?? err) };

try {
  matcher = await createFaceMatcher({ model: init.config, pipeline: init.pipeline, modelDir: init.modelDir });
  port.postMessage({ id: 0, ready: true } satisfies SideReply);
} catch (err) {
  port.postMessage({ id: 0, error: errorOf(err) } satisfies SideReply);
}

port.on("message", async (req: SideRequest) => {
  try {
    if (req.op === "analyse") {
      const a = await matcher.analyse(req.input, req.role);
      analyses.set(req.id, a);
      const { image: _image, ...info } = a;
      port.postMessage({ id: req.id, info } satisfies SideReply);
    } else if (req.op === "embed") {
      const a = analyses.get(req.ref);
      analyses.delete(req.ref);
      if (!a) throw new Error(`no analysis ${req.ref}`);
      const embedding = Float32Array.from(await matcher.embedAnalysis(a, req.cond));
      port.postMessage({ id: req.id, embedding } satisfies SideReply, [embedding.buffer]);
    } else {
      analyses.delete(req.ref);
    }
  } catch (err) {
    port.postMessage({ id: req.id, error: errorOf(err) } satisfies SideReply);
  }
});
