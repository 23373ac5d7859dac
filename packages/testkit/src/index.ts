export { testDb, testDatabaseUrl, uniqueSuffix } from "./db.js";
export { sharedDir, modelDir, testdataDir } from "./shared.js";
export * from "./fake-wechat/index.js";
export { waitFor } from "./wait.js";
export { reservePort } from "./port.js";
export { startFakeTencent, type FakeTencent, type FakeMode } from "./fake-tencent.js";
