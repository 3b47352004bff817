// Issue 11: an account is usable only once its holder has confirmed the recovery key, and a holder
// can make a new one. `recovery_confirmed_at` is null until the holder confirms; the pending pair
// holds a new key (its auth hash and its wrapped vault key) until the holder confirms that one,
// when it replaces the current pair in one UPDATE.
import { type MigrationInterface, type QueryRunner, TableColumn } from "typeorm";

export class RecoveryKeyConfirmation1764670000000 implements MigrationInterface {
  name = "RecoveryKeyConfirmation1764670000000";

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns("accounts", [
      new TableColumn({ name: "recovery_confirmed_at", type: "bigint", isNullable: true }),
      new TableColumn({ name: "pending_recovery_auth_hash", type: "varchar", length: "255", isNullable: true }),
      new TableColumn({ name: "pending_recovery_wrapped_vault_key", type: "text", isNullable: true }),
    ]);
    // Accounts made before this change were shown their key under the old rules: they stay usable.
    await q.query("UPDATE accounts SET recovery_confirmed_at = created_at");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn("accounts", "pending_recovery_wrapped_vault_key");
    await q.dropColumn("accounts", "pending_recovery_auth_hash");
    await q.dropColumn("accounts", "recovery_confirmed_at");
  }
}
