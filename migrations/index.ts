// Every migration, in order. Listed by hand (not globbed) so the same list works from source,
// from a bundle and in tests.
import { Initial1764000000000 } from "./1764000000000-initial.js";
import { Vault1764100000000 } from "./1764100000000-vault.js";
import { EmailCodes1764200000000 } from "./1764200000000-email-codes.js";
import { Sharing1764300000000 } from "./1764300000000-sharing.js";
import { PartialIndexes1764400000000 } from "./1764400000000-partial-indexes.js";

export const migrations = [Initial1764000000000, Vault1764100000000, EmailCodes1764200000000, Sharing1764300000000, PartialIndexes1764400000000];
