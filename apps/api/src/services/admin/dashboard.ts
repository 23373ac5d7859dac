import type { Db } from "@gradphoto/db";
import type { Dashboard } from "@gradphoto/contracts";
import { STATE_LABELS, shanghaiDay } from "@gradphoto/domain";
import { campaignCounts } from "./campaign-counts.js";
import { phoneOf } from "../../lib/id-crypto.js";

const STUCK_LIMIT = 20;
const MAX_DAYS = 62;

/** Everything the dashboard shows for one campaign, computed in a handful of aggregate queries. */
export async function campaignDashboard(db: Db, campaignId: string, key: Buffer, now = new Date()): Promise<Dashboard> {
  const [funnelRows, photoStatus, counts, byCollege, timeline, comparisons] = await Promise.all([
    db.$queryRaw<Array<{ logged_in: number; code_bound: number; paid: number; submitted: number; compared: number }>>`
      SELECT
        count(*)::int AS logged_in,
        count(*) FILTER (WHERE s.roster_entry_id IS NOT NULL
          OR EXISTS (SELECT 1 FROM "submission_transitions" t WHERE t.submission_id = s.id AND t.event = 'CODE_BOUND'))::int AS code_bound,
        -- paid now: exempt (the school pays), or an order paid and not fully refunded (a refunded graduate leaves this step)
        count(*) FILTER (WHERE s.payment_exempt
          OR EXISTS (SELECT 1 FROM "orders" o WHERE o.submission_id = s.id AND o.status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDING')))::int AS paid,
        count(*) FILTER (WHERE s.submitted_at IS NOT NULL)::int AS submitted,
        count(*) FILTER (WHERE EXISTS (SELECT 1 FROM "comparisons" c WHERE c.submission_id = s.id))::int AS compared
      FROM "submissions" s WHERE s.campaign_id = ${campaignId}::uuid`,
    db.rosterEntry.groupBy({ by: ["admissionPhotoStatus"], where: { campaignId }, _count: { _all: true } }),
    campaignCounts(db, [campaignId]).then((c) => c(campaignId)),
    db.$queryRaw<Array<{ college: string; major: string; roster: number; started: number; submitted: number; approved: number }>>`
      SELECT r.college, r.major, count(*)::int AS roster, count(s.id)::int AS started,
        count(s.id) FILTER (WHERE s.submitted_at IS NOT NULL)::int AS submitted,
        count(s.id) FILTER (WHERE s.state = 'APPROVED')::int AS approved
      FROM "roster_entries" r LEFT JOIN "submissions" s ON s.roster_entry_id = r.id
      WHERE r.campaign_id = ${campaignId}::uuid
      GROUP BY r.college, r.major ORDER BY r.college, r.major`,
    db.submission.findMany({ where: { campaignId, submittedAt: { not: null } }, select: { submittedAt: true, decidedAt: true, state: true } }),
    db.comparison.findMany({ where: { submission: { campaignId } }, select: { score: true, passed: true, threshold: true, createdAt: true }, orderBy: { createdAt: "asc" } }),
  ]);

  const f = funnelRows[0] ?? { logged_in: 0, code_bound: 0, paid: 0, submitted: 0, compared: 0 };
  const photo = (s: "PRESENT" | "MISSING" | "DISPUTED") => photoStatus.find((x) => x.admissionPhotoStatus === s)?._count._all ?? 0;

  // Per day (Asia/Shanghai): submissions and approvals, every day between the first and today.
  const perDayMap = new Map<string, { submitted: number; approved: number }>();
  const bump = (d: string, k: "submitted" | "approved") => {
    const v = perDayMap.get(d) ?? { submitted: 0, approved: 0 };
    v[k]++;
    perDayMap.set(d, v);
  };
  for (const t of timeline) {
    if (t.submittedAt) bump(shanghaiDay(t.submittedAt), "submitted");
    if (t.state === "APPROVED" && t.decidedAt) bump(shanghaiDay(t.decidedAt), "approved");
  }
  const perDay: Dashboard["perDay"] = [];
  if (perDayMap.size > 0) {
    const days = [...perDayMap.keys()].sort();
    const end = new Date(`${shanghaiDay(now)}T00:00:00Z`);
    let d = new Date(`${days[0]}T00:00:00Z`);
    if ((end.getTime() - d.getTime()) / 86400_000 > MAX_DAYS) d = new Date(end.getTime() - MAX_DAYS * 86400_000);
    for (; d <= end; d = new Date(d.getTime() + 86400_000)) {
      const key = d.toISOString().slice(0, 10);
      perDay.push({ day: key, ...(perDayMap.get(key) ?? { submitted: 0, approved: 0 }) });
    }
  }

  // Score distribution in 10-point buckets (0–100 calibrated scale), split by pass/fail.
  const buckets = Array.from({ length: 10 }, (_, i) => ({ from: i * 10, to: i * 10 + 10, passed: 0, failed: 0 }));
  for (const c of comparisons) {
    if (c.score === null) continue;
    const b = buckets[Math.min(9, Math.max(0, Math.floor(c.score / 10)))]!;
    if (c.passed) b.passed++;
    else b.failed++;
  }

  const stuck = async (where: object, orderBy: object = { updatedAt: "asc" }) => {
    const [rows, count] = await Promise.all([
      db.submission.findMany({ where: { campaignId, ...where }, include: { rosterEntry: true }, orderBy, take: STUCK_LIMIT }),
      db.submission.count({ where: { campaignId, ...where } }),
    ]);
    return {
      count,
      items: rows.map((s) => ({
        submissionId: s.id,
        name: s.rosterEntry?.name ?? null,
        uniqueNumber: s.rosterEntry?.uniqueNumber ?? null,
        college: s.rosterEntry?.college ?? null,
        phone: s.rosterEntry ? phoneOf(key, s.rosterEntry) : null,
        state: s.state,
        stateLabel: STATE_LABELS[s.state],
        since: s.updatedAt.toISOString(),
      })),
    };
  };
  const [manual, disputed, payment] = await Promise.all([
    stuck({ state: "NEEDS_MANUAL_PASS" }),
    stuck({ state: "ADMISSION_DISPUTED" }),
    stuck({ state: "CODE_BOUND", paymentExempt: false }),
  ]);

  return {
    campaignId,
    generatedAt: now.toISOString(),
    totals: {
      roster: photo("PRESENT") + photo("MISSING") + photo("DISPUTED"),
      admissionPresent: photo("PRESENT"),
      admissionMissing: photo("MISSING"),
      admissionDisputed: photo("DISPUTED"),
      // the same counts as the campaign list
      submissions: counts.submissions,
      reviewing: counts.reviewing,
      approved: counts.approved,
      rejected: counts.rejected,
    },
    funnel: [
      { step: "LOGGED_IN", label: "登录并开始", count: f.logged_in },
      { step: "CODE_BOUND", label: "绑定采集码", count: f.code_bound },
      { step: "PAID", label: "完成支付", count: f.paid },
      { step: "SUBMITTED", label: "提交照片", count: f.submitted },
      { step: "COMPARED", label: "完成比对", count: f.compared },
      { step: "APPROVED", label: "审核通过", count: counts.approved },
    ],
    byCollege,
    perDay,
    scores: { buckets, threshold: comparisons.at(-1)?.threshold ?? null, total: comparisons.filter((c) => c.score !== null).length },
    stuck: {
      manualPass: manual.items,
      disputed: disputed.items,
      paymentPending: payment.items,
      counts: { manualPass: manual.count, disputed: disputed.count, paymentPending: payment.count },
    },
  };
}
