export { SUBMISSION_STATES, STATE_LABELS, type SubmissionState } from "./states.js";
export { RULES, shanghaiDay, standardisationQuota, type QuotaStatus } from "./rules.js";
export {
  transition,
  allowedEvents,
  type SubmissionContext,
  type SubmissionEvent,
  type EventType,
  type TransitionResult,
  type TransitionEffects,
  type TransitionErrorCode,
} from "./machine.js";
export { maskIdNumber, maskName, isValidIdNumber } from "./identity.js";
