// Worker-thread side of the decode pool: runs the multi-strategy decoder off the API's event loop.
import { parentPort } from "node:worker_threads";
import { z } from "zod";
import { isCaptureCodeError } from "../errors.js";
import { decodeQrImage } from "./decoder.js";

/** One job as posted by the pool (zod-checked: it crosses a thread boundary). */
export const DecodeJobSchema = z.object({
  id: z.number().int(),
  bytes: z.instanceof(Uint8Array),
  timeBudgetMs: z.number().positive().optional(),
});

const port = parentPort;
if (!port) throw new Error("decode worker must run in a worker thread");

port.on("message", async (raw: unknown) => {
  const job = DecodeJobSchema.safeParse(raw);
  if (!job.success) {
    port.postMessage({ id: (raw as { id?: number })?.id ?? -1, error: { code: "INVALID_IMAGE", detail: "malformed decode job" } });
    return;
  }
  const { id, bytes, timeBudgetMs } = job.data;
  try {
    const result = await decodeQrImage(bytes, timeBudgetMs ? { timeBudgetMs } : {});
    port.postMessage({ id, result });
  } catch (e) {
    port.postMessage({ id, error: isCaptureCodeError(e) ? { code: e.code, detail: e.detail } : { code: "INVALID_IMAGE", detail: String((e as Error)?.message ?? e) } });
  }
});
