export { testDb, testDatabaseUrl, uniqueSuffix } from "./db.js";
export { sharedDir, modelDir, testdataDir } from "./shared.js";
