/** The subset of `fetch` the clients use (inject one for proxies or tests; default: global fetch). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The raw body text, exactly as received (needed for WeChat Pay signature verification). */
  text: string;
}

export class NetworkError extends Error {
  override readonly name = "NetworkError";
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** One HTTP exchange with a timeout; network failures and timeouts become `NetworkError`. */
export async function httpRequest(
  fetchImpl: FetchLike,
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; timeoutMs: number },
): Promise<HttpAnswer> {
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: init.method,
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: AbortSignal.timeout(init.timeoutMs),
      redirect: "error",
    });
  } catch (e) {
    throw new NetworkError(`${init.method} ${redactUrl(url)}: ${describe(e)}`, { cause: e });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new NetworkError(`${init.method} ${redactUrl(url)}: body read failed: ${describe(e)}`, { cause: e });
  }
  return { status: res.status, headers: res.headers, text };
}

/** Join a configured base URL (may carry a path prefix) and an API path. */
export function joinUrl(baseUrl: string, pathAndQuery: string): string {
  return baseUrl.replace(/\/+$/, "") + pathAndQuery;
}

/** Strip secrets (secret, js_code, access_token) from a URL before it reaches a log or an error. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:secret|js_code|access_token)=)[^&]*/g, "$1***");
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const c = cause instanceof Error ? ` (${cause.message})` : "";
    return `${e.name}: ${e.message}${c}`;
  }
  return String(e);
}
