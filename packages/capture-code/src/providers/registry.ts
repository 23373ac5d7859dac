import { z } from "zod";
import { CaptureCodeError } from "../errors.js";
import type { Logger } from "../redact.js";
import { DemoProvider, DemoPublicKeysSchema, type DemoPublicKeys } from "./demo.js";
import { HttpProvider } from "./http.js";
import type { CaptureCodeProvider } from "./types.js";

export const PROVIDER_NAMES = ["demo", "http"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Deployment-level settings that campaign configs fall back on. */
export interface ProviderEnvironment {
  /** Environment for secrets referenced by name (`secretEnv`); defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Demo verification keys used when a campaign's `providerConfig` names none. */
  demoPublicKeys?: DemoPublicKeys;
  /** Refuse the publicly known dev key (key id "dev"), e.g. in production. */
  forbidDevKey?: boolean;
  logger?: Logger;
  fetch?: typeof fetch;
}

const DemoCampaignConfigSchema = z.object({ publicKeys: DemoPublicKeysSchema.optional() }).strict();

/**
 * Build the provider a campaign names (`campaign.captureCodeProvider`, `campaign.providerConfig`).
 * Secrets never sit in the config: the http provider's HMAC secret is read from the environment
 * variable the config names.
 */
export function createProvider(name: string, config: unknown, environment: ProviderEnvironment = {}): CaptureCodeProvider {
  const env = environment.env ?? process.env;
  switch (name) {
    case "demo": {
      const c = DemoCampaignConfigSchema.safeParse(config ?? {});
      if (!c.success) throw new CaptureCodeError("PROVIDER_CONFIG_INVALID", z.prettifyError(c.error));
      const publicKeys = c.data.publicKeys ?? environment.demoPublicKeys;
      if (!publicKeys) throw new CaptureCodeError("PROVIDER_CONFIG_INVALID", "demo provider has no public keys");
      if (environment.forbidDevKey && "dev" in publicKeys) {
        throw new CaptureCodeError("PROVIDER_CONFIG_INVALID", "the public dev demo key is not allowed here");
      }
      return new DemoProvider({ publicKeys });
    }
    case "http": {
      const c = z.object({ secretEnv: z.string() }).loose().safeParse(config);
      if (!c.success) throw new CaptureCodeError("PROVIDER_CONFIG_INVALID", "http provider needs secretEnv");
      return new HttpProvider(config as never, {
        secret: env[c.data.secretEnv] ?? "",
        ...(environment.logger ? { logger: environment.logger } : {}),
        ...(environment.fetch ? { fetch: environment.fetch } : {}),
      });
    }
    default:
      throw new CaptureCodeError("PROVIDER_CONFIG_INVALID", `unknown capture code provider ${JSON.stringify(name)}`);
  }
}

/**
 * Keeps one provider instance per (name, config) so that state such as the http provider's
 * circuit breaker survives between requests.
 */
export class ProviderRegistry {
  private readonly cache = new Map<string, CaptureCodeProvider>();
  constructor(private readonly environment: ProviderEnvironment = {}) {}

  get(name: string, config: unknown): CaptureCodeProvider {
    const key = `${name}\u0000${stableJson(config ?? {})}`;
    let p = this.cache.get(key);
    if (!p) {
      p = createProvider(name, config, this.environment);
      this.cache.set(key, p);
    }
    return p;
  }
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}
