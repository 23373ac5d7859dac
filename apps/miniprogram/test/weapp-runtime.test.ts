// The weapp build's JavaScript on a DOM-less engine with WeChat's request transport, against the
// real API (see support/weapp-sim.ts for what the simulated runtime does and does not cover).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@gradphoto/testkit";
import { startJourney, type Journey } from "../../api/test/journey-harness.js";
import { buildAsync } from "../scripts/build.mjs";
import { WeappSim } from "./support/weapp-sim.js";

const dist = path.resolve(import.meta.dirname, "../dist/weapp");
let j: Journey;

beforeAll(async () => {
  await buildAsync("weapp", { quiet: true });
  j = await startJourney();
}, 400_000);

function sim(): WeappSim {
  return new WeappSim(dist, (url) => url.replace(/^https?:\/\/[^/]+/, j.url), async () => j.fake.miniProgram.issueLoginCode().code);
}

describe("the weapp package on a simulated WeChat runtime", () => {
  it("registers the app and every page of app.json", () => {
    const s = sim();
    s.launch({});
    const appJson = JSON.parse(readFileSync(path.join(dist, "app.json"), "utf8")) as { pages: string[] };
    for (const p of appJson.pages) {
      expect(existsSync(path.join(dist, `${p}.js`)), p).toBe(true);
      s.require(`${p}.js`);
      expect(s.pageConfigs.has(p), p).toBe(true);
    }
    expect(s.errors).toEqual([]);
  });

  it("shows the campaign from the launch query, fetched with wx.request from the real API", async () => {
    const campaignId = await j.campaign();
    const s = sim();
    s.launch({ campaign: campaignId });
    const page = s.openPage("pages/index/index", { campaign: campaignId });
    const campaign = await j.deps.db.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    await waitFor(() => page.text().includes(campaign.name), { timeoutMs: 15_000, what: "the campaign name on the home page" });
    expect(page.buttons()).toContain("学信网采集码采集");
    expect(s.calls.some((c) => c.api === "request" && JSON.stringify(c.args).includes(`/api/campaigns/${campaignId}`))).toBe(true);
  });
});
