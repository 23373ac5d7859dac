export { CaptureCodeError, ERROR_MESSAGES, isCaptureCodeError, type CaptureCodeErrorCode } from "./errors.js";
export { redactRaw, scrubRaw, sha256Hex, silentLogger, type Logger } from "./redact.js";
export {
  decodeQrImage,
  DecodePool,
  type DecodePoolOptions,
  plainJsQr,
  DEFAULT_LIMITS,
  probeImage,
  type DecodeQrOptions,
  type QrDecodeResult,
  type ImageLimits,
  type ImageInfo,
} from "./decode/index.js";
export { CaptureCodeFieldsSchema, type CaptureCodeFields, type CaptureCodeProvider, type DecodeContext } from "./providers/types.js";
export {
  DEMO_PREFIX,
  DemoProvider,
  DemoProviderConfigSchema,
  DemoPublicKeysSchema,
  DemoSigningKeySchema,
  demoPublicKeyOf,
  devDemoKey,
  generateDemoKeyPair,
  isDemoCode,
  issueDemoCode,
  maskIdNumber,
  maskName,
  verifyDemoCode,
  type DemoProviderConfig,
  type DemoPublicKeys,
  type DemoSigningKey,
  type VerifiedDemoCode,
} from "./providers/demo.js";
export {
  HttpProvider,
  HttpAnswerSchema,
  HttpProviderConfigSchema,
  hmacHex,
  requestSigningString,
  responseSigningString,
  sha256HexBytes,
  signatureMatches,
  SIGNATURE_VERSION,
  type HttpAnswer,
  type HttpProviderConfig,
  type HttpProviderConfigInput,
  type HttpProviderDeps,
} from "./providers/http.js";
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from "./providers/circuit.js";
export { createProvider, ProviderRegistry, PROVIDER_NAMES, type ProviderEnvironment, type ProviderName } from "./providers/registry.js";
export { renderCodePng, RenderOptionsSchema, type RenderOptions } from "./render.js";
export {
  bindCaptureCode,
  matchCaptureCode,
  maskedConsistent,
  NOTICE_NOT_GRADUATE,
  NOTICE_SCHOOL_MISMATCH,
  BindInputSchema,
  MatchInputSchema,
  type BindInput,
  type BindResult,
  type DbClient,
  type MatchFailureCode,
  type MatchInput,
  type MatchResult,
  type MatchedRosterEntry,
} from "./match.js";
export { runDecodeCode, type DecodeCodeResult, type RunDecodeCodeOptions } from "./cli.js";
