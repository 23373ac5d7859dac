// Runs one ONNX Runtime session on a worker thread (see offload.ts). Plain JavaScript so that it loads
// the same way under tsx, vitest and compiled builds. Messages:
//   { id, type: "load", bytes, options }                 → { id, ok: true }
//   { id, type: "run", input, data, dims, output? }      → { id, data, dims } (data transferred)
import { parentPort, workerData } from "node:worker_threads";

const ort = await import(workerData.ortPath);
let session = null;

parentPort.on("message", async (m) => {
  try {
    if (m.type === "load") {
      session = await ort.InferenceSession.create(m.bytes, m.options);
      parentPort.postMessage({ id: m.id, ok: true });
      return;
    }
    const out = await session.run({ [m.input]: new ort.Tensor("float32", m.data, m.dims) });
    const t = m.output ? out[m.output] : Object.values(out)[0];
    const data = t.data;
    parentPort.postMessage({ id: m.id, data, dims: t.dims }, [data.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.message ? e.message : e) });
  }
});
