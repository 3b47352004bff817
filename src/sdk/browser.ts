/**
 * The relying-party SDK as one ES module for browsers (served at <issuer>/sdk/passport-sdk.js,
 * jose and zod inside). zod is told first not to compile parsers with `new Function`, so the
 * module runs under a Content-Security-Policy without 'unsafe-eval'.
 *
 *   import { openPassport } from "https://id.example.com/sdk/passport-sdk.js";
 */
import "./no-eval.js";

export * from "./index.js";
