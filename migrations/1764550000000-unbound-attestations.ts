// Email attestations issued before issue 8 named no subject and had no expiry: a copy saved into
// any account verified its email item. Items marked verified by one of those cannot be told apart
// from a replay, so they go back to unverified; their holders verify the address again and get an
// attestation bound to their account.
import type { MigrationInterface, QueryRunner } from "typeorm";

export class UnboundAttestations1764550000000 implements MigrationInterface {
  name = "UnboundAttestations1764550000000";

  async up(q: QueryRunner): Promise<void> {
    const t = (name: string) => q.connection.driver.escape(name);
    await q.query(`UPDATE ${t("vault_items")} SET ${t("verification")} = 'unverified' WHERE ${t("type")} = 'email' AND ${t("verification")} = 'verified'`);
  }

  async down(): Promise<void> {
    // Nothing to restore: which items were verified is not kept, and must not come back.
  }
}
