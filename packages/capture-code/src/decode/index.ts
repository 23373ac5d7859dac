export { decodeQrImage, plainJsQr, acceptResult, type DecodeQrOptions, type QrDecodeResult } from "./decoder.js";
export { DEFAULT_LIMITS, probeImage, type ImageLimits, type ImageInfo } from "./load.js";
export { DecodePool, type DecodePoolOptions } from "./pool.js";
