import Taro from "@tarojs/taro";
import type { Submission } from "@gradphoto/api-client";
import { PAGES, pageFor, type PageKey } from "./steps";

export { PAGES, PHASES, STEPS, pageFor, type PageKey } from "./steps";

function url(page: PageKey, query?: Record<string, string>): string {
  const q = query ? Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&") : "";
  return `/${PAGES[page]}${q ? `?${q}` : ""}`;
}

/** Forward in the flow: replaces the current page so the back button never re-runs a finished step. */
export function goStep(page: PageKey, query?: Record<string, string>): Promise<unknown> {
  return Taro.redirectTo({ url: url(page, query) });
}

/** Opens a page on top (back returns here). The mini-program stack holds 10 pages: fall back to redirect. */
export function openPage(page: PageKey, query?: Record<string, string>): Promise<unknown> {
  if (Taro.getCurrentPages().length >= 9) return goStep(page, query);
  return Taro.navigateTo({ url: url(page, query) });
}

export function goHome(): Promise<unknown> {
  return Taro.reLaunch({ url: url("home") });
}

export function continueWith(s: Submission): Promise<unknown> {
  return goStep(pageFor(s));
}

/** Starts a fresh page stack at the state's page (after a flow that left extra pages open). */
export function relaunchWith(s: Submission): Promise<unknown> {
  return Taro.reLaunch({ url: url(pageFor(s)) });
}
