import type { Submission } from "@gradphoto/api-client";

export type Contacts = Submission["contacts"];
