// `pnpm bench`: every benchmark, medians printed beside the floor measured in the same run.
// Run on a quiet machine; figures go into the closing notes, never into test assertions.
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { only: { type: "string" }, seconds: { type: "string" } } });
const want = (name: string) => !values.only || values.only.split(",").includes(name);

if (want("photo")) {
  const { benchPhoto } = (await import("../packages/photo/scripts/bench.js")) as { benchPhoto: () => Promise<unknown> };
  process.stdout.write("\n== photo pipeline ==\n");
  await benchPhoto();
}
if (want("face")) {
  const { benchFace, formatFaceBench } = await import("../packages/face/scripts/bench.js");
  process.stdout.write("\n== face comparison ==\n");
  process.stdout.write(`${formatFaceBench(await benchFace())}\n`);
}
if (want("code")) {
  const { benchDecode } = await import("../packages/capture-code/scripts/bench.js");
  process.stdout.write("\n== capture code ==\n");
  await benchDecode({ print: true });
}
if (want("load")) {
  const { benchLoad, formatLoad } = await import("../apps/api/bench/load.js");
  process.stdout.write("\n== API load ==\n");
  process.stdout.write(`${formatLoad(await benchLoad({ seconds: values.seconds ? Number(values.seconds) : 20 }))}\n`);
}
