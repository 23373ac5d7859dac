import type { Db } from "@gradphoto/db";
import type { SubmissionState } from "@gradphoto/domain";

export interface CampaignCounts {
  roster: number;
  admissionPhotos: number;
  submissions: number;
  reviewing: number;
  approved: number;
  rejected: number;
  /** graduates per submission state */
  states: Partial<Record<SubmissionState, number>>;
}

/**
 * The counts the campaign list, the campaign view and the dashboard (totals and funnel) all show,
 * from one set of queries, so the numbers agree on every page. Read on every request: no cache.
 */
export async function campaignCounts(db: Db, ids: string[]): Promise<(id: string) => CampaignCounts> {
  const [roster, photos, subs] = await Promise.all([
    db.rosterEntry.groupBy({ by: ["campaignId"], where: { campaignId: { in: ids } }, _count: { _all: true } }),
    db.rosterEntry.groupBy({ by: ["campaignId"], where: { campaignId: { in: ids }, admissionPhotoKey: { not: null } }, _count: { _all: true } }),
    db.submission.groupBy({ by: ["campaignId", "state"], where: { campaignId: { in: ids } }, _count: { _all: true } }),
  ]);
  return (id: string) => {
    const s = subs.filter((x) => x.campaignId === id);
    const state = (st: SubmissionState) => s.find((x) => x.state === st)?._count._all ?? 0;
    return {
      roster: roster.find((x) => x.campaignId === id)?._count._all ?? 0,
      admissionPhotos: photos.find((x) => x.campaignId === id)?._count._all ?? 0,
      submissions: s.reduce((n, x) => n + x._count._all, 0),
      reviewing: state("REVIEWING"),
      approved: state("APPROVED"),
      rejected: state("REJECTED"),
      states: Object.fromEntries(s.map((x) => [x.state, x._count._all])),
    };
  };
}
