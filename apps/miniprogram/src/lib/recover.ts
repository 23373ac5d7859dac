import type { Submission } from "@gradphoto/api-client";
import { api } from "./api";
import { goStep, pageFor } from "./flow";
import { session, type Transient } from "./session";

/**
 * An action whose answer was lost (a weak network, the 60-s timeout, the app sent to the background)
 * may still have happened on the server. When the submission has left `states`, the page for where it
 * is opens instead of an error whose retry could only fail; otherwise the error stands (rethrown).
 */
export async function openWhereItIs(e: unknown, id: string, states: readonly Submission["state"][], patch: Partial<Transient> = {}): Promise<void> {
  const view = await api.submission(id).catch(() => null);
  if (!view || states.includes(view.state)) throw e;
  session.set({ ...patch, submission: view });
  await goStep(pageFor(view));
}
