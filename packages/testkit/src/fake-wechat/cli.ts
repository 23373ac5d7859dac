/**
 * Run the fake WeChat server on its own, for local development against the real API process:
 *
 *   npx tsx packages/testkit/src/fake-wechat/cli.ts [--port 9555] [--mode certificate|publicKey] [--dir DIR]
 *
 * Writes the generated keys to DIR (default: a temp directory) and prints the environment variables
 * the API needs (see docs/wechat.md). Drive it through its /__fake/ control endpoints
 * (login codes, subscriptions, paying orders). Ctrl-C stops it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startFakeWechat } from "./index.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    mode: { type: "string", default: "publicKey" },
    dir: { type: "string" },
    "notify-url": { type: "string", default: "http://127.0.0.1:3000/api/pay/notify" },
    "refund-delay-ms": { type: "string", default: "8000" },
  },
});
const mode = values.mode === "certificate" ? "certificate" : "publicKey";
const fake = await startFakeWechat({ port: Number(values.port), pay: { platformMode: mode, autoCompleteRefundsAfterMs: Number(values["refund-delay-ms"]) } });
const dir = values.dir ?? mkdtempSync(path.join(tmpdir(), "fake-wechat-"));
mkdirSync(dir, { recursive: true });
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content, { mode: 0o600 });
  return p;
};
const env: Record<string, string> = {
  WECHAT_APPID: fake.miniProgram.appId,
  WECHAT_SECRET: fake.miniProgram.appSecret,
  WECHAT_API_BASE: fake.baseUrl,
  WXPAY_MCHID: fake.pay.mchId,
  WXPAY_SERIAL_NO: fake.pay.merchantSerialNo,
  WXPAY_PRIVATE_KEY_FILE: file("apiclient_key.pem", fake.pay.merchantPrivateKeyPem),
  WXPAY_APIV3_KEY: fake.pay.apiV3Key,
  WXPAY_API_BASE: fake.baseUrl,
  WXPAY_NOTIFY_URL: values["notify-url"]!,
  ...(mode === "certificate"
    ? { WXPAY_PLATFORM_CERT_FILE: file("wechatpay_platform_cert.pem", fake.pay.platformCertificatePem) }
    : { WXPAY_PUBLIC_KEY_ID: fake.pay.publicKeyId, WXPAY_PUBLIC_KEY_FILE: file("pub_key.pem", fake.pay.platformPublicKeyPem) }),
};
process.stdout.write(`# fake WeChat on ${fake.baseUrl} (${mode} mode); keys in ${dir}\n`);
for (const [k, v] of Object.entries(env)) process.stdout.write(`${k}=${v}\n`);
const stop = (): void => {
  void fake.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
