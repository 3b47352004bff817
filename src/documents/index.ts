export * from "./types.js";
export * from "./schemas.js";
export { COUNTRY_CODES } from "./countries.js";
