import { z } from "zod";
import type { PhotoMark } from "@gradphoto/contracts";

/**
 * Where failed checks point on the photo: a check whose value carries a spot (x, y, r in upright
 * source pixels, as no_accessories does for a suspected earring) is marked on the photo as uploaded
 * or, through the crop the standardisation recorded, on the standard photo. Reports stored before a
 * field existed simply give no marks.
 */
const Spot = z.object({ x: z.number(), y: z.number(), r: z.number().positive() });
const StoredReport = z.object({
  checks: z.array(z.object({ id: z.string(), passed: z.boolean(), value: z.unknown().optional() })).default([]),
  source: z.object({ width: z.number().positive(), height: z.number().positive() }).optional(),
  output: z.object({ crop: z.object({ x: z.number(), y: z.number(), width: z.number().positive(), height: z.number().positive() }).optional() }).optional(),
});

const LABELS: Record<string, string> = { no_accessories: "疑似耳饰" };

export function photoMarks(report: unknown, on: "original" | "standardized"): PhotoMark[] {
  const r = StoredReport.safeParse(report ?? {});
  if (!r.success) return [];
  const frame = on === "original" ? (r.data.source ? { x: 0, y: 0, ...r.data.source } : undefined) : r.data.output?.crop;
  if (!frame) return [];
  const marks: PhotoMark[] = [];
  for (const c of r.data.checks) {
    const spot = Spot.safeParse(c.value);
    if (c.passed || !spot.success) continue;
    const x = (spot.data.x - frame.x) / frame.width, y = (spot.data.y - frame.y) / frame.height;
    if (x < 0 || x > 1 || y < 0 || y > 1) continue; // outside what this image shows
    marks.push({ check: c.id, x: round4(x), y: round4(y), r: round4(spot.data.r / frame.width), aspect: round4(frame.height / frame.width), label: LABELS[c.id] ?? c.id });
  }
  return marks;
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
