export { type ObjectStorage, StorageError, assertValidKey } from "./types.js";
export { LocalStorage, type LocalStorageOptions } from "./local.js";
export { S3Storage, type S3StorageOptions } from "./s3.js";
export { StorageConfigSchema, createStorage, type StorageConfig } from "./config.js";
