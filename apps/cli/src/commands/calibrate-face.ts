// `gradphoto calibrate-face`: fits a recognition model's score mapping from a labelled set and writes it into its model card.
import path from "node:path";
import { calibrateFace, CalibrateReportSchema, CalibrateUsageError, DEFAULT_MODEL_CONFIG_PATH, formatCalibrateReport } from "@gradphoto/face";
import { registerCommand } from "../main.js";
import { log, printJson, UsageError } from "../output.js";

export const CALIBRATE_FACE_USAGE = "calibrate-face --pairs <pairs.json> --far <rate> [--card <model.card.json>] [--dry-run]";

registerCommand("calibrate-face", async (args, v, json) => {
  if (args.length) throw new UsageError(`unexpected argument "${args[0]}"; usage: ${CALIBRATE_FACE_USAGE}`);
  if (typeof v.pairs !== "string") throw new UsageError(`--pairs <pairs.json> is required; usage: ${CALIBRATE_FACE_USAGE}`);
  if (typeof v.far !== "string") throw new UsageError(`--far <rate> is required (e.g. 1e-4: score 80 ↔ that false-accept rate)`);
  const far = Number(v.far);
  if (!Number.isFinite(far) || far <= 0 || far >= 0.1) throw new UsageError("--far must be a number between 0 and 0.1, e.g. 1e-4");
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const card = typeof v.card === "string" ? path.resolve(cwd, v.card) : (process.env.FACE_MODEL_CARD ? path.resolve(cwd, process.env.FACE_MODEL_CARD) : DEFAULT_MODEL_CONFIG_PATH);
  try {
    const { report } = await calibrateFace({ card, pairsFile: path.resolve(cwd, v.pairs), far, write: v["dry-run"] !== true, log });
    if (json) printJson(CalibrateReportSchema, report);
    else log(formatCalibrateReport(report));
    return 0;
  } catch (e) {
    if (e instanceof CalibrateUsageError) throw new UsageError(e.message);
    throw e;
  }
});
