// zod compiles fast object parsers with `new Function` unless told not to, which a page's
// Content-Security-Policy without 'unsafe-eval' reports as a violation. Imported first by the
// browser build of the SDK (browser.ts), before any schema parses.
import { config } from "zod";

config({ jitless: true });
