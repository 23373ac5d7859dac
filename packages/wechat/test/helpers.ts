import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { isWechatError, type VerifiedNotify, type WechatError, type WechatPayClient } from "@gradphoto/wechat";

export interface ReceivedNotify {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  outcome: { ok: true; notify: VerifiedNotify; duplicate: boolean } | { ok: false; error: WechatError };
}

/**
 * A minimal merchant notify endpoint on loopback, wired the way the API must do it: raw body kept,
 * verified and decrypted before anything else, processed once per transaction/refund id, answered
 * with WeChat's expected body.
 */
export async function startNotifyReceiver(getClient: () => WechatPayClient): Promise<{
  url: string;
  received: ReceivedNotify[];
  processed: Set<string>;
  close(): Promise<void>;
}> {
  const received: ReceivedNotify[] = [];
  const processed = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks);
      const client = getClient();
      try {
        const notify = client.verifyAndDecryptNotify({ headers: req.headers, rawBody });
        const key = notify.kind === "transaction" ? `tx:${notify.resource.transaction_id}` : `refund:${notify.resource.refund_id}:${notify.resource.refund_status}`;
        const duplicate = processed.has(key);
        processed.add(key);
        received.push({ headers: req.headers, rawBody, outcome: { ok: true, notify, duplicate } });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(client.notifyAck()));
      } catch (e) {
        if (!isWechatError(e)) throw e;
        received.push({ headers: req.headers, rawBody, outcome: { ok: false, error: e } });
        res.writeHead(e.code === "WXPAY_NOTIFY_BAD_BODY" ? 400 : 401, { "content-type": "application/json" });
        res.end(JSON.stringify(client.notifyFail(e.message)));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/pay/notify`;
  return {
    url,
    received,
    processed,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function expectWechatError(p: Promise<unknown> | (() => unknown)): Promise<WechatError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (isWechatError(e)) return e;
    throw e;
  }
  throw new Error("expected a WechatError");
}

let seq = 0;
export function outNo(prefix: string): string {
  seq++;
  return `${prefix}${Date.now().toString(36)}${seq.toString().padStart(4, "0")}`.slice(0, 32);
}
