import { z } from "zod";

export const StaffRoleSchema = z.enum(["OPERATOR", "SCHOOL_ADMIN", "REVIEWER", "CUSTOMER_SERVICE"]).meta({ id: "StaffRole" });
export type StaffRole = z.infer<typeof StaffRoleSchema>;

export const StaffLoginRequestSchema = z
  .object({
    username: z.string().trim().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .meta({ id: "StaffLoginRequest" });

export const StaffProfileSchema = z
  .object({
    id: z.string().uuid(),
    username: z.string(),
    displayName: z.string(),
    role: StaffRoleSchema,
    schoolId: z.string().uuid().nullable(),
  })
  .meta({ id: "StaffProfile" });
export type StaffProfile = z.infer<typeof StaffProfileSchema>;

export const SessionResponseSchema = z
  .object({
    token: z.string().describe("bearer token for the Authorization header"),
    expiresAt: z.string().datetime(),
  })
  .meta({ id: "Session" });

export const StaffLoginResponseSchema = SessionResponseSchema.extend({ staff: StaffProfileSchema }).meta({ id: "StaffLoginResponse" });
