export * from "./errors.js";
export * from "./health.js";
export * from "./staff.js";
export * from "./journey.js";
export * from "./photos.js";
export * from "./capture-code.js";
export * from "./payment.js";
export * from "./staff-admin.js";
