export { JobQueue, defineJob, InvalidJobPayloadError, type JobDefinition, type JobQueueOptions, type JobContext } from "./queue.js";
