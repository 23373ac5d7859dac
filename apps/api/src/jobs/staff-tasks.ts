import { z } from "zod";
import { defineJob } from "@gradphoto/jobs";

/** Applies a validated roster import (upserts in batches, progress in roster_imports). */
export const rosterApplyJob = defineJob({
  name: "staff.roster-apply",
  schema: z.object({ importId: z.string().uuid() }),
  retryLimit: 3,
  retryDelay: 5,
  // liveness, not duration: workers report every few seconds however long the import takes
  expireInSeconds: 30,
});

/** Checks and stores a ZIP of admission photos (one face each). */
export const admissionImportJob = defineJob({
  name: "staff.admission-import",
  schema: z.object({ importId: z.string().uuid() }),
  retryLimit: 2,
  retryDelay: 10,
  expireInSeconds: 30,
});

/** Builds the export archive of approved photos with its XLSX manifest. */
export const exportBuildJob = defineJob({
  name: "staff.export-build",
  schema: z.object({ exportId: z.string().uuid() }),
  retryLimit: 2,
  retryDelay: 10,
  expireInSeconds: 30,
});
