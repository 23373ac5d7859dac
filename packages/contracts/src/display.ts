/**
 * Display rules shared by the mini-program (weapp and H5) and the admin console, so every screen shows
 * the same number for the same thing.
 */

/**
 * A comparison score as shown: one decimal, cut (never rounded) so that a score below the pass line
 * never reads as the pass line (79.96 → "79.9", never "80").
 */
export function formatScore(score: number | null | undefined): string {
  if (score === null || score === undefined || !Number.isFinite(score)) return "--";
  return (Math.floor(score * 10 + 1e-9) / 10).toFixed(1);
}

/**
 * Checks made on the standardised output (the 480×640 standard photo), as opposed to the checks of the
 * photo the graduate took. The reviewer's report holds both; the graduate meets the photo checks at
 * 质量检测 and the output checks at 标准化, so every screen counts the two groups apart.
 * (apps/api/test/cases.test.ts checks this list against what standardize() adds to check().)
 */
export const OUTPUT_CHECK_IDS: readonly string[] = ["chest_in_frame", "sides_in_frame", "output_geometry", "output_file_size"];

export interface CheckCount {
  passed: number;
  total: number;
}

/** Passed/total of the photo checks and of the standard-photo checks. */
export function countChecks(checks: ReadonlyArray<{ id: string; passed: boolean }>): { photo: CheckCount; output: CheckCount } {
  const photo = { passed: 0, total: 0 };
  const output = { passed: 0, total: 0 };
  for (const c of checks) {
    const g = OUTPUT_CHECK_IDS.includes(c.id) ? output : photo;
    g.total++;
    if (c.passed) g.passed++;
  }
  return { photo, output };
}
