// Every migration, in order. Listed by hand (not globbed) so the same list works from source,
// from a bundle and in tests.
import { Initial1764000000000 } from "./1764000000000-initial.js";
import { Vault1764100000000 } from "./1764100000000-vault.js";
import { EmailCodes1764200000000 } from "./1764200000000-email-codes.js";
import { Sharing1764300000000 } from "./1764300000000-sharing.js";
import { PartialIndexes1764400000000 } from "./1764400000000-partial-indexes.js";
import { AttemptCounters1764500000000 } from "./1764500000000-attempt-counters.js";
import { AdminClaims1764510000000 } from "./1764510000000-admin-claims.js";
import { VaultReservations1764520000000 } from "./1764520000000-vault-reservations.js";
import { HashedArtifactIds1764530000000 } from "./1764530000000-hashed-artifact-ids.js";
import { UnboundAttestations1764550000000 } from "./1764550000000-unbound-attestations.js";
import { PlaygroundClients1764570000000 } from "./1764570000000-playground-clients.js";
import { ClientOwners1764600000000 } from "./1764600000000-client-owners.js";
import { InitialAccessTokens1764620000000 } from "./1764620000000-initial-access-tokens.js";
import { ClientApprovalActivity1764610000000 } from "./1764610000000-client-approval-activity.js";
import { ChangeVersions1764630000000 } from "./1764630000000-change-versions.js";
import { RecoveryKeyConfirmation1764670000000 } from "./1764670000000-recovery-key-confirmation.js";
import { AccountConsole1764680000000 } from "./1764680000000-account-console.js";
import { ClientEvents1764690000000 } from "./1764690000000-client-events.js";
import { Verifiers1764700000000 } from "./1764700000000-verifiers.js";

export const migrations = [
  Initial1764000000000,
  Vault1764100000000,
  EmailCodes1764200000000,
  Sharing1764300000000,
  PartialIndexes1764400000000,
  AttemptCounters1764500000000,
  AdminClaims1764510000000,
  VaultReservations1764520000000,
  HashedArtifactIds1764530000000,
  UnboundAttestations1764550000000,
  PlaygroundClients1764570000000,
  ClientOwners1764600000000,
  ClientApprovalActivity1764610000000,
  InitialAccessTokens1764620000000,
  ChangeVersions1764630000000,
  RecoveryKeyConfirmation1764670000000,
  AccountConsole1764680000000,
  ClientEvents1764690000000,
  Verifiers1764700000000,
];
