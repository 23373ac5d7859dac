import type { IncomingHttpHeaders } from "node:http";

export interface FakeRequest {
  method: string;
  /** Path and query exactly as on the request line. */
  rawUrl: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** answer this much later (the request has already taken effect): a slow network or a lost answer */
  delayMs?: number;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(value) };
}

export function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
