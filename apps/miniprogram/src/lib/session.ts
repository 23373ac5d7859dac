import type { CampaignPublic, CodePreview, Comparison, CreateOrderResponse, Photo, StandardizeResult, Submission } from "@gradphoto/api-client";
import { useEffect, useState } from "react";
import { api } from "./api";
import { load, remove, save } from "./storage";

/** What survives a restart: the login and where the graduate is. */
export interface Persisted {
  token: string | null;
  /** the simulated WeChat user (development H5 builds) */
  openid: string | null;
  campaignId: string | null;
  submissionId: string | null;
}

/** What pages hand to each other within one run. */
export interface Transient {
  campaign: CampaignPublic | null;
  submission: Submission | null;
  codePreview: CodePreview | null;
  /** a local preview of the picked/taken photo before upload */
  pendingPhoto: { path: string; blob?: Blob; source: "CAMERA" | "ALBUM" } | null;
  photo: Photo | null;
  standardize: StandardizeResult | null;
  comparison: Comparison | null;
  order: CreateOrderResponse | null;
}

const KEY = "gradphoto.session";
const persisted: Persisted = { token: null, openid: null, campaignId: null, submissionId: null, ...(load<Persisted>(KEY) ?? {}) };
api.token = persisted.token;

const transient: Transient = { campaign: null, submission: null, codePreview: null, pendingPhoto: null, photo: null, standardize: null, comparison: null, order: null };
const listeners = new Set<() => void>();
let version = 0;

function emit(): void {
  version++;
  for (const l of listeners) l();
}

export const session = {
  get: (): Readonly<Persisted & Transient> => ({ ...persisted, ...transient }),
  set(patch: Partial<Persisted & Transient>): void {
    let persist = false;
    for (const [k, v] of Object.entries(patch)) {
      if (k in persisted) {
        (persisted as unknown as Record<string, unknown>)[k] = v;
        persist = true;
      } else (transient as unknown as Record<string, unknown>)[k] = v;
    }
    if (patch.submission) persisted.submissionId = patch.submission.id;
    if (patch.token !== undefined) api.token = patch.token;
    if (persist || patch.submission) save(KEY, persisted);
    emit();
  },
  /** Sign out (expired session): keeps the campaign. */
  signOut(): void {
    persisted.token = null;
    persisted.submissionId = null;
    api.token = null;
    transient.submission = null;
    save(KEY, persisted);
    emit();
  },
  reset(): void {
    remove(KEY);
  },
};

/** Re-renders the component when the session changes. */
export function useSession(): Readonly<Persisted & Transient> {
  const [, setV] = useState(version);
  useEffect(() => {
    const l = () => setV(version);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return session.get();
}

/** Loads the campaign (cached for the run). */
export async function loadCampaign(force = false): Promise<CampaignPublic> {
  const s = session.get();
  if (!s.campaignId) throw new Error("no campaign");
  if (s.campaign && s.campaign.id === s.campaignId && !force) return s.campaign;
  const c = await api.campaign(s.campaignId);
  session.set({ campaign: c });
  return c;
}

/** Fresh submission view from the API. */
export async function refreshSubmission(): Promise<Submission> {
  const s = session.get();
  const view = s.submissionId ? await api.submission(s.submissionId) : await api.startSubmission(s.campaignId!);
  session.set({ submission: view });
  return view;
}
