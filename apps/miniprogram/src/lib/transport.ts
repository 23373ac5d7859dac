import Taro from "@tarojs/taro";
import { fetchTransport, type Transport } from "@gradphoto/api-client";
import { IS_H5 } from "./env";

function parse(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return body ? JSON.parse(body) : null;
  } catch {
    return body;
  }
}

/**
 * The mini-program has no fetch: JSON goes through Taro.request, uploads through Taro.uploadFile
 * (which takes a local temp-file path, e.g. from chooseMedia or the camera).
 */
export function taroTransport(baseUrl: string): Transport {
  const base = baseUrl.replace(/\/$/, "");
  return async (req) => {
    if (req.file) {
      if (typeof req.file.data !== "string") throw new Error("mini-program uploads need a local file path");
      const r = await Taro.uploadFile({ url: base + req.path, filePath: req.file.data, name: req.file.field, header: req.headers, timeout: 60_000 });
      return { status: r.statusCode, body: parse(r.data) };
    }
    const isGet = req.method === "GET";
    const r = await Taro.request({
      url: base + req.path,
      method: req.method,
      header: { ...req.headers, ...(isGet ? {} : { "content-type": "application/json" }) },
      // WeChat sends a JSON content type on every POST: an empty object keeps Fastify's parser happy.
      data: isGet ? undefined : (req.json ?? {}),
      dataType: "其他",
      responseType: "text",
      timeout: 60_000,
    });
    return { status: r.statusCode, body: parse(r.data) };
  };
}

/** Fetch in the browser (H5), Taro.request / Taro.uploadFile in the mini-program. */
export function platformTransport(baseUrl: string): Transport {
  return IS_H5 ? fetchTransport(baseUrl) : taroTransport(baseUrl);
}
