import { useCallback, useEffect, useRef, useState } from "react";
import type { Submission, SubmissionState } from "@gradphoto/api-client";
import { errorMessage, isAuthError, isConsentRequired } from "./api";
import { goStep, pageFor } from "./flow";
import { DEV_SIMULATION, IS_WEAPP } from "./env";
import { refreshSubmission, session } from "./session";
import { login } from "./wechat";

let renewing: Promise<boolean> | null = null;

/**
 * Renews an expired session without a tap, where WeChat allows it (wx.login needs none): sessions last
 * 72 h and a review can take longer. Concurrent 401s share one renewal. False when there was no
 * session to renew (first visit: the 授权登录 page asks) or the renewal failed.
 */
export function renewSession(): Promise<boolean> {
  if (!(IS_WEAPP || DEV_SIMULATION) || !session.get().token) return Promise.resolve(false);
  renewing ??= login()
    .then(
      () => true,
      () => false,
    )
    .finally(() => {
      renewing = null;
    });
  return renewing;
}

/** Runs `fn`; after a 401 of an expired session, renews it once and runs `fn` again. */
async function withRenewal<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!isAuthError(e) || !(await renewSession())) throw e;
    return fn();
  }
}

/** Sends an expired or missing login back to 授权登录. */
export function handleAuth(e: unknown): boolean {
  if (!isAuthError(e)) return false;
  session.signOut();
  void goStep("login");
  return true;
}

export interface Async<T> {
  loading: boolean;
  data: T | undefined;
  error: string | null;
  reload: () => Promise<void>;
  setData: (d: T) => void;
}

/** Loads data for a page, with loading and error states (errors show the API's message). */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[] = []): Async<T> {
  // `by`: the loader (one per deps) whose result the state holds. When the deps change, the render
  // before the new load starts must not show the old deps' result as current (支付成功 showed
  // "支付已确认" without the amount for one render while the order was being fetched).
  const [state, setState] = useState<{ loading: boolean; data: T | undefined; error: string | null; by?: unknown }>({ loading: true, data: undefined, error: null });
  const alive = useRef(true);
  /** the loader of the current deps: a slower load of older deps must not land after it */
  const latest = useRef<unknown>(null);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const reload = useCallback(async () => {
    setState((s) => ({ ...s, loading: true, error: null }));
    const current = () => alive.current && latest.current === reload;
    try {
      const data = await withRenewal(fn);
      if (current()) setState({ loading: false, data, error: null, by: reload });
    } catch (e) {
      if (handleAuth(e)) return;
      if (current()) setState((s) => ({ ...s, loading: false, error: errorMessage(e), by: reload }));
    }
  }, deps);
  useEffect(() => {
    latest.current = reload;
    void reload();
  }, [reload]);
  const { by, ...rest } = state;
  return { ...rest, loading: rest.loading || by !== reload, reload, setData: (data: T) => setState({ loading: false, data, error: null, by: reload }) };
}

/**
 * A button's action: busy flag, the error to show, and a runner that catches. `onAuth: "show"` (the
 * login page itself) shows a refused login instead of sending the graduate to the page they are on.
 */
export function useAction(opts: { onAuth?: "login" | "show" } = {}): { busy: boolean; error: string | null; setError: (m: string | null) => void; run: (fn: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // one action at a time: a second tap before the first re-render disables its button (a double tap,
  // the shutter tapped twice) is ignored instead of running the action twice
  const inFlight = useRef(false);
  const show = opts.onAuth === "show";
  const run = useCallback(async (fn: () => Promise<void>) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    try {
      await (show ? fn() : withRenewal(fn));
    } catch (e) {
      // a 温馨提示 published while the graduate was at this step: read and agree to it first
      if (isConsentRequired(e)) void goStep("notice");
      else if (show || !handleAuth(e)) setError(errorMessage(e));
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }, [show]);
  return { busy, error, setError, run };
}

/**
 * The graduate's submission for a step page. Without a login → 授权登录; in a state this page does
 * not handle (an old tab, the back button) → the page for the current state.
 */
export function useSubmission(allowed: SubmissionState[] | "any"): Async<Submission> {
  return useAsync(async () => {
    const s = session.get();
    if (!s.token || !s.campaignId) {
      void goStep(s.campaignId ? "login" : "home");
      return new Promise<Submission>(() => undefined);
    }
    const view = await refreshSubmission();
    // a state this page does not handle, or a 温馨提示 published since the graduate agreed (→ notice)
    if (allowed !== "any" && (!allowed.includes(view.state) || !view.consentCurrent)) {
      void goStep(pageFor(view));
      return new Promise<Submission>(() => undefined);
    }
    return view;
  });
}

/** Milliseconds until `until`, ticking every second (0 when passed or absent). */
export function useCountdown(until: string | null | undefined): number {
  const target = until ? new Date(until).getTime() : 0;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!target) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [target]);
  return target ? Math.max(0, target - now) : 0;
}

export const PHOTO_STATES: SubmissionState[] = ["PAID", "PHOTO_CHECKED", "STANDARDIZED", "COMPARE_BLOCKED"];
