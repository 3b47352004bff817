// zod compiles fast object parsers with `new Function` unless told not to; its probe for that
// alone is reported as a CSP violation on our pages (script-src without 'unsafe-eval').
// Imported first by the vault entry, before any schema parses.
import { config } from "zod";

config({ jitless: true });
