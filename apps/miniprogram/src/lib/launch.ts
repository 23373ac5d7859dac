import { DEFAULT_CAMPAIGN_ID } from "./env";
import { session } from "./session";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The campaign comes from the launch query (`?campaign=<id>`), else from the last visit, else from
 * the build's default. Opening another campaign's link starts over for that campaign.
 */
export function applyLaunchQuery(query: Record<string, string | undefined>): void {
  const fromQuery = query.campaign && UUID.test(query.campaign) ? query.campaign : null;
  const s = session.get();
  if (fromQuery && fromQuery !== s.campaignId) {
    session.set({ campaignId: fromQuery, submissionId: null, campaign: null, submission: null });
    return;
  }
  if (!s.campaignId && DEFAULT_CAMPAIGN_ID && UUID.test(DEFAULT_CAMPAIGN_ID)) session.set({ campaignId: DEFAULT_CAMPAIGN_ID });
}
