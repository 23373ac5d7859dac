import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { z } from "zod";
import { CaptureCodeError } from "../errors.js";
import { CaptureCodeFieldsSchema, type CaptureCodeFields, type CaptureCodeProvider } from "./types.js";

/**
 * The project's own 采集码 stand-in ("demo" provider): an Ed25519-signed compact payload with the
 * same masked fields as a 学信网 code, so demos and end-to-end tests work without 学信网.
 *
 *   GPD1.<keyId>.<base64url(JSON payload)>.<base64url(Ed25519 signature)>
 *
 * The signature covers the ASCII text `GPD1.<keyId>.<payload>`. Payload keys are short:
 * u uniqueNumber, n maskedName, i maskedIdNumber, s schoolCode, sn schoolName, d degreeLevel?,
 * y graduationYear?, t issued-at (Unix seconds).
 */
export const DEMO_PREFIX = "GPD1";

const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

const PayloadSchema = z
  .object({
    u: z.string(),
    n: z.string(),
    i: z.string(),
    s: z.string(),
    sn: z.string(),
    d: z.string().optional(),
    y: z.number().optional(),
    t: z.number().int().nonnegative(),
  })
  .strict();

/** A signing key: `privateKey` is the base64 32-byte Ed25519 seed or a PKCS#8 PEM. */
export interface DemoSigningKey {
  keyId: string;
  privateKey: string;
}

/** Verification keys by key id: base64 raw 32-byte Ed25519 public keys or SPKI PEMs. */
export type DemoPublicKeys = Record<string, string>;

export const DemoSigningKeySchema = z.object({ keyId: z.string().regex(KEY_ID), privateKey: z.string().min(32) });
export const DemoPublicKeysSchema = z
  .record(z.string().regex(KEY_ID), z.string().min(32))
  .refine((r) => Object.keys(r).length > 0, { message: "at least one public key" });

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

function privateKeyObject(key: string): KeyObject {
  if (key.includes("BEGIN")) return createPrivateKey(key);
  const seed = Buffer.from(key, "base64");
  if (seed.length !== 32) throw new Error("Ed25519 private key must be a 32-byte seed (base64) or a PEM");
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
}

function publicKeyObject(key: string): KeyObject {
  if (key.includes("BEGIN")) return createPublicKey(key);
  const raw = Buffer.from(key, "base64");
  if (raw.length !== 32) throw new Error("Ed25519 public key must be 32 bytes (base64) or a PEM");
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
}

function rawPublicKey(k: KeyObject): string {
  const der = k.export({ format: "der", type: "spki" });
  return der.subarray(der.length - 32).toString("base64");
}

/** A fresh key pair (base64 raw keys) for a deployment's demo codes. */
export function generateDemoKeyPair(keyId: string): DemoSigningKey & { publicKey: string } {
  if (!KEY_ID.test(keyId)) throw new Error(`invalid key id ${keyId}`);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const pk = privateKey.export({ format: "der", type: "pkcs8" });
  return { keyId, privateKey: pk.subarray(pk.length - 32).toString("base64"), publicKey: rawPublicKey(publicKey) };
}

/** The public key (base64 raw) belonging to a signing key. */
export function demoPublicKeyOf(key: DemoSigningKey): string {
  return rawPublicKey(createPublicKey(privateKeyObject(key.privateKey)));
}

/**
 * A fixed, publicly known key for local development, demos and tests (`keyId` "dev"). Anyone can
 * forge codes with it: never accept it in production.
 */
export function devDemoKey(): DemoSigningKey & { publicKey: string } {
  const seed = createHash("sha256").update("gradphoto demo capture code dev key v1").digest("base64");
  const key = { keyId: "dev", privateKey: seed };
  return { ...key, publicKey: demoPublicKeyOf(key) };
}

/** Issue a demo 采集码 text for the given (masked) fields. */
export function issueDemoCode(fields: CaptureCodeFields, key: DemoSigningKey, opts: { issuedAt?: Date } = {}): string {
  const f = CaptureCodeFieldsSchema.parse(fields);
  DemoSigningKeySchema.parse(key);
  const payload: z.infer<typeof PayloadSchema> = {
    u: f.uniqueNumber,
    n: f.maskedName,
    i: f.maskedIdNumber,
    s: f.schoolCode,
    sn: f.schoolName,
    ...(f.degreeLevel !== undefined ? { d: f.degreeLevel } : {}),
    ...(f.graduationYear !== undefined ? { y: f.graduationYear } : {}),
    t: Math.floor((opts.issuedAt ?? new Date()).getTime() / 1000),
  };
  const body = `${DEMO_PREFIX}.${key.keyId}.${Buffer.from(JSON.stringify(payload), "utf8").toString("base64url")}`;
  const sig = sign(null, Buffer.from(body, "ascii"), privateKeyObject(key.privateKey));
  return `${body}.${sig.toString("base64url")}`;
}

/** Whether a raw text looks like a demo code (cheap syntactic check, no signature). */
export function isDemoCode(raw: string): boolean {
  return raw.startsWith(`${DEMO_PREFIX}.`);
}

export interface VerifiedDemoCode {
  fields: CaptureCodeFields;
  keyId: string;
  issuedAt: Date;
}

/** Verify a demo code's signature and read its fields; throws CODE_INVALID. */
export function verifyDemoCode(raw: string, publicKeys: DemoPublicKeys): VerifiedDemoCode {
  const parts = raw.trim().split(".");
  if (parts.length !== 4 || parts[0] !== DEMO_PREFIX) throw new CaptureCodeError("CODE_INVALID", "not a demo code");
  const [, keyId, payloadB64, sigB64] = parts as [string, string, string, string];
  if (!KEY_ID.test(keyId) || !B64URL.test(payloadB64) || !B64URL.test(sigB64)) {
    throw new CaptureCodeError("CODE_INVALID", "malformed demo code");
  }
  const pub = publicKeys[keyId];
  if (!pub) throw new CaptureCodeError("CODE_INVALID", `unknown demo key id ${keyId}`);
  const sig = Buffer.from(sigB64, "base64url");
  const ok = sig.length === 64 && verify(null, Buffer.from(`${DEMO_PREFIX}.${keyId}.${payloadB64}`, "ascii"), publicKeyObject(pub), sig);
  if (!ok) throw new CaptureCodeError("CODE_INVALID", "demo code signature does not verify");
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payloadB64, "base64url").toString("utf8"));
  } catch {
    throw new CaptureCodeError("CODE_INVALID", "demo code payload is not JSON");
  }
  const p = PayloadSchema.safeParse(json);
  if (!p.success) throw new CaptureCodeError("CODE_INVALID", "demo code payload has the wrong shape");
  const fields = CaptureCodeFieldsSchema.safeParse({
    uniqueNumber: p.data.u,
    maskedName: p.data.n,
    maskedIdNumber: p.data.i,
    schoolCode: p.data.s,
    schoolName: p.data.sn,
    ...(p.data.d !== undefined ? { degreeLevel: p.data.d } : {}),
    ...(p.data.y !== undefined ? { graduationYear: p.data.y } : {}),
  });
  if (!fields.success) throw new CaptureCodeError("CODE_INVALID", "demo code fields are invalid");
  return { fields: fields.data, keyId, issuedAt: new Date(p.data.t * 1000) };
}

export const DemoProviderConfigSchema = z.object({ publicKeys: DemoPublicKeysSchema }).strict();
export type DemoProviderConfig = z.infer<typeof DemoProviderConfigSchema>;

export class DemoProvider implements CaptureCodeProvider {
  readonly name = "demo";
  private readonly publicKeys: DemoPublicKeys;
  constructor(config: DemoProviderConfig) {
    const c = DemoProviderConfigSchema.parse(config);
    for (const [kid, k] of Object.entries(c.publicKeys)) {
      try {
        publicKeyObject(k);
      } catch (e) {
        throw new CaptureCodeError("PROVIDER_CONFIG_INVALID", `demo public key ${kid}: ${(e as Error).message}`);
      }
    }
    this.publicKeys = c.publicKeys;
  }
  async decode(raw: string): Promise<CaptureCodeFields> {
    return verifyDemoCode(raw, this.publicKeys).fields;
  }
}

/** Mask a full name as 学信网 does: keep the first and (for 3+ characters) the last character. */
export function maskName(name: string): string {
  const c = [...name.trim()];
  if (c.length <= 1) return `${c.join("")}*`;
  if (c.length === 2) return `${c[0]}*`;
  return `${c[0]}${"*".repeat(c.length - 2)}${c[c.length - 1]}`;
}

/** Mask an ID number: keep the first 4 and the last 4 characters. Already masked input is kept. */
export function maskIdNumber(id: string): string {
  const s = id.trim();
  if (s.includes("*")) return s;
  if (s.length <= 8) return `${s.slice(0, 1)}${"*".repeat(Math.max(1, s.length - 2))}${s.slice(-1)}`;
  return `${s.slice(0, 4)}${"*".repeat(s.length - 8)}${s.slice(-4)}`;
}
