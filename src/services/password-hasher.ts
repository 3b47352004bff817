// argon2id over the authKey the browser derived (never the password itself).
import { hash, verify } from "@node-rs/argon2";

// Algorithm.Argon2id (a const enum the compiler cannot inline across modules here).
const ARGON2ID = 2;
import type { Config } from "../config.js";

export class PasswordHasher {
  private dummy: Promise<string> | null = null;
  constructor(private readonly cost: Config["argon2"]) {}

  hash(secret: string): Promise<string> {
    return hash(secret, { algorithm: ARGON2ID, ...this.cost });
  }

  async verify(stored: string, secret: string): Promise<boolean> {
    try {
      return await verify(stored, secret);
    } catch {
      return false;
    }
  }

  /** Spends the same time as a real check, so an unknown account answers no faster. */
  async verifyNothing(secret: string): Promise<false> {
    this.dummy ??= this.hash("passport-dummy-secret");
    await this.verify(await this.dummy, secret);
    return false;
  }
}
