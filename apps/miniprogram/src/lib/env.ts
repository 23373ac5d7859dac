/**
 * Build-time settings (config/index.ts defines them from TARO_APP_* variables) and the few runtime
 * overrides that development H5 builds allow.
 */
export const IS_H5 = process.env.TARO_ENV === "h5";
export const IS_WEAPP = process.env.TARO_ENV === "weapp";

/**
 * Development H5 builds only: simulated WeChat login, payment and 订阅消息 through the API's /api/dev
 * routes, and the `?api=` override below. Always false in weapp builds and in release H5 builds.
 */
export const DEV_SIMULATION = IS_H5 && process.env.TARO_APP_DEV_SIMULATION === "true";

const BUILT_API_BASE = (process.env.TARO_APP_API_BASE || "http://127.0.0.1:3000").replace(/\/$/, "");
export const DEFAULT_CAMPAIGN_ID = process.env.TARO_APP_CAMPAIGN_ID || "";

function sessionGet(key: string): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function sessionSet(key: string, value: string): void {
  try {
    window.sessionStorage.setItem(key, value);
  } catch {
    /* private mode: keep it in memory only */
  }
}

/**
 * Query of the URL the H5 app was opened with (the router rewrites it on navigation). Empty in the
 * mini-program, which has no URLSearchParams.
 */
export const H5_LAUNCH_QUERY: Record<string, string> = IS_H5 ? Object.fromEntries(new URLSearchParams(window.location.search).entries()) : {};

/** API origin: the build's, or (development H5 builds only) `?api=http://host:port`, kept for the tab. */
export const API_BASE: string = (() => {
  if (!DEV_SIMULATION) return BUILT_API_BASE;
  const q = H5_LAUNCH_QUERY.api;
  if (q && /^https?:\/\/[^/?#]+$/.test(q)) {
    sessionSet("gradphoto.api", q);
    return q;
  }
  return sessionGet("gradphoto.api") ?? BUILT_API_BASE;
})();
