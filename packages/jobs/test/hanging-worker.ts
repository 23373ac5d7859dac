// A worker process for the crash test: takes one job, says so on stdout, then hangs until killed.
import { z } from "zod";
import { JobQueue, defineJob } from "../src/index.js";

const [connectionString, schema, name] = process.argv.slice(2);
const q = new JobQueue({ connectionString: connectionString!, schema: schema!, pollingIntervalSeconds: 0.5 });
await q.start();
await q.work(defineJob({ name: name!, schema: z.object({ n: z.number() }), retryLimit: 3, expireInSeconds: 5 }), async (_p, ctx) => {
  process.stdout.write(`started ${ctx.id}\n`);
  await new Promise(() => undefined);
});
process.stdout.write("ready\n");
