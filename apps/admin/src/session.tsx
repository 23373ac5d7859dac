import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { CampaignListItem, School, StaffProfile } from "@gradphoto/contracts";
import { api, isAuthError, setToken } from "./api";

interface SessionValue {
  staff: StaffProfile | null;
  loading: boolean;
  schools: School[];
  campaigns: CampaignListItem[];
  campaignId: string | null;
  campaign: CampaignListItem | null;
  selectCampaign(id: string): void;
  refreshCampaigns(): Promise<void>;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  /** call when a request answered 401: back to the login page */
  expired(): void;
}

const SessionContext = createContext<SessionValue | null>(null);
const CAMPAIGN_KEY = "gradphoto.campaign";

export function SessionProvider({ children }: { children: ReactNode }) {
  const [staff, setStaff] = useState<StaffProfile | null>(null);
  const [loading, setLoading] = useState(true);
  const [schools, setSchools] = useState<School[]>([]);
  const [campaigns, setCampaigns] = useState<CampaignListItem[]>([]);
  const [campaignId, setCampaignId] = useState<string | null>(() => localStorage.getItem(CAMPAIGN_KEY));

  const refreshCampaigns = useCallback(async () => {
    const [c, s] = await Promise.all([api.campaigns(), api.schools()]);
    setCampaigns(c.items);
    setSchools(s.items);
    setCampaignId((cur) => {
      if (cur && c.items.some((x) => x.id === cur)) return cur;
      const pick = c.items.find((x) => x.status === "OPEN") ?? c.items[0];
      return pick?.id ?? null;
    });
  }, []);

  const expired = useCallback(() => {
    setToken(null);
    setStaff(null);
  }, []);

  useEffect(() => {
    if (!api.core.token) {
      setLoading(false);
      return;
    }
    api
      .me()
      .then(async (me) => {
        setStaff(me);
        await refreshCampaigns();
      })
      .catch((e) => {
        if (isAuthError(e)) expired();
      })
      .finally(() => setLoading(false));
  }, [refreshCampaigns, expired]);

  useEffect(() => {
    if (campaignId) localStorage.setItem(CAMPAIGN_KEY, campaignId);
  }, [campaignId]);

  const value = useMemo<SessionValue>(
    () => ({
      staff,
      loading,
      schools,
      campaigns,
      campaignId,
      campaign: campaigns.find((c) => c.id === campaignId) ?? null,
      selectCampaign: (id) => setCampaignId(id),
      refreshCampaigns,
      async login(username, password) {
        const r = await api.login(username, password);
        setToken(r.token);
        setStaff(r.staff);
        await refreshCampaigns();
      },
      async logout() {
        await api.logout().catch(() => undefined);
        setToken(null);
        setStaff(null);
      },
      expired,
    }),
    [staff, loading, schools, campaigns, campaignId, refreshCampaigns, expired],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}

/** Which pages a role may open (the API enforces the same rules). */
export const PAGE_ROLES: Record<string, string[]> = {
  "/dashboard": ["OPERATOR", "SCHOOL_ADMIN"],
  "/campaigns": ["OPERATOR", "SCHOOL_ADMIN"],
  "/roster": ["OPERATOR", "SCHOOL_ADMIN"],
  "/review": ["OPERATOR", "SCHOOL_ADMIN", "REVIEWER"],
  "/service": ["OPERATOR", "SCHOOL_ADMIN", "CUSTOMER_SERVICE"],
  "/payments": ["OPERATOR", "SCHOOL_ADMIN", "CUSTOMER_SERVICE"],
  "/export": ["OPERATOR", "SCHOOL_ADMIN"],
  "/audit": ["OPERATOR", "SCHOOL_ADMIN"],
  "/accounts": ["OPERATOR"],
};

export function homeFor(role: string): string {
  if (role === "REVIEWER") return "/review";
  if (role === "CUSTOMER_SERVICE") return "/service";
  return "/dashboard";
}
