/**
 * How the client reaches the API. Browsers and Node use `fetchTransport`; the WeChat mini-program
 * supplies one built on Taro.request / Taro.uploadFile (no fetch there).
 */
export interface TransportRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** path with query, e.g. /api/submissions/123?x=1 */
  path: string;
  headers: Record<string, string>;
  /** JSON body */
  json?: unknown;
  /** one file upload (multipart) */
  file?: { field: string; name: string; data: Blob | string /* a local file path in the mini-program */; contentType?: string };
}

export interface TransportResponse {
  status: number;
  body: unknown;
}

export type Transport = (req: TransportRequest) => Promise<TransportResponse>;

/** Transport over the Fetch API (browsers, Node ≥ 18, Taro H5). */
export function fetchTransport(baseUrl: string, fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): Transport {
  return async (req) => {
    const headers: Record<string, string> = { ...req.headers };
    let body: string | FormData | undefined;
    if (req.file) {
      const form = new FormData();
      const data = typeof req.file.data === "string" ? new Blob([req.file.data]) : req.file.data;
      form.append(req.file.field, data, req.file.name);
      body = form;
    } else if (req.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.json);
    }
    const res = await fetchImpl(baseUrl.replace(/\/$/, "") + req.path, { method: req.method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  };
}
