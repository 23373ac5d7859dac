import type { Submission } from "@gradphoto/api-client";
import { api } from "./api";
import { session } from "./session";

/** After wx.requestPayment: the notify may lag, so ask the API (which asks WeChat Pay) a few times. */
export async function waitForPaid(submissionId: string, tries = 10): Promise<Submission | null> {
  for (let i = 0; i < tries; i++) {
    const r = await api.currentOrder(submissionId);
    session.set({ submission: r.submission });
    if (r.submission.state !== "CODE_BOUND" && r.submission.state !== "REJECTED") return r.submission;
    await new Promise((res) => setTimeout(res, 1000));
  }
  return null;
}
