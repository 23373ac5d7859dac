import { ApiCore, ApiRequestError, StaffApi, fetchTransport } from "@gradphoto/api-client";

const TOKEN_KEY = "gradphoto.staff.token";
const API_KEY = "gradphoto.api";

/**
 * Where the API is, decided at runtime so one build serves every environment:
 * `?api=http://host:port` (remembered for the tab), else VITE_API_BASE at build time,
 * else the same host on port 3000 (what `npm start` runs).
 */
export function resolveApiBase(): string {
  const fromQuery = new URLSearchParams(window.location.search).get("api");
  if (fromQuery && /^https?:\/\//.test(fromQuery)) {
    sessionStorage.setItem(API_KEY, fromQuery.replace(/\/$/, ""));
  }
  const saved = sessionStorage.getItem(API_KEY);
  if (saved) return saved;
  const built = import.meta.env.VITE_API_BASE as string | undefined;
  if (built) return built.replace(/\/$/, "");
  return `${window.location.protocol}//${window.location.hostname}:3000`;
}

export const apiBase = resolveApiBase();
const core = new ApiCore(fetchTransport(apiBase));
core.token = localStorage.getItem(TOKEN_KEY);

/** The typed staff API client (validated with the shared contracts). */
export const api = new StaffApi(core);

export function setToken(token: string | null): void {
  core.token = token;
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** Chinese message of any error, for message.error(). */
export function errorText(e: unknown): string {
  if (e instanceof ApiRequestError) return e.message;
  if (e instanceof Error) return e.message;
  return "操作失败，请重试";
}

export function isAuthError(e: unknown): boolean {
  return e instanceof ApiRequestError && (e.status === 401 || e.code === "ACCOUNT_DISABLED");
}

export { ApiRequestError };
