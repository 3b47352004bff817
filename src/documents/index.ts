export * from "./types.js";
export * from "./schemas.js";
export { COUNTRY_CODES } from "./countries.js";
export { localToday, expiredOn } from "./expiry.js";
