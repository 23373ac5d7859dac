/** Business numbers from the school's notice; campaigns may override some of them. */
export const RULES = {
  /** comparison score needed to pass (0–100 calibrated scale) */
  comparePassScore: 80,
  /** failures of rule-compliant photos before customer service may pass by hand */
  qualifyingFailuresForManualPass: 3,
  /** 裁剪换背景 runs per Asia/Shanghai calendar day */
  standardisationsPerDay: 3,
  /** after the last allowed run, the next one opens this long after it */
  standardisationCooldownMs: 24 * 60 * 60 * 1000,
  /** free resubmissions after 审核未通过 */
  freeRetakesAfterRejection: 2,
  quotaTimeZone: "Asia/Shanghai",
} as const;

/** Calendar day (YYYY-MM-DD) of `at` in Asia/Shanghai (UTC+8, no DST). */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export interface QuotaStatus {
  allowed: boolean;
  usedToday: number;
  remainingToday: number;
  /** when the next run becomes possible, if not now */
  nextAllowedAt: Date | null;
}

/**
 * Standardisation quota: at most 3 a day; once the 3rd of a day is used, the next one is possible
 * 24 hours after that 3rd run. `attempts` are the graduate's run times (any order).
 */
export function standardisationQuota(attempts: readonly Date[], now: Date, perDay: number = RULES.standardisationsPerDay): QuotaStatus {
  const sorted = [...attempts].sort((a, b) => a.getTime() - b.getTime());
  // A cool-down starts at the perDay-th run of any day and lasts 24 h.
  const byDay = new Map<string, Date[]>();
  for (const a of sorted) {
    const d = shanghaiDay(a);
    byDay.set(d, [...(byDay.get(d) ?? []), a]);
  }
  let cooldownUntil: Date | null = null;
  for (const runs of byDay.values()) {
    if (runs.length >= perDay) {
      const until = new Date(runs[perDay - 1]!.getTime() + RULES.standardisationCooldownMs);
      if (until > now && (!cooldownUntil || until > cooldownUntil)) cooldownUntil = until;
    }
  }
  const today = byDay.get(shanghaiDay(now))?.length ?? 0;
  if (cooldownUntil) return { allowed: false, usedToday: today, remainingToday: 0, nextAllowedAt: cooldownUntil };
  const remaining = Math.max(0, perDay - today);
  return { allowed: remaining > 0, usedToday: today, remainingToday: remaining, nextAllowedAt: remaining > 0 ? null : nextShanghaiMidnight(now) };
}

function nextShanghaiMidnight(now: Date): Date {
  const day = shanghaiDay(now);
  return new Date(Date.parse(`${day}T00:00:00+08:00`) + 24 * 3600_000);
}
