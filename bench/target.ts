// One server under test, as the benchmark process sees it.
import type { ServerProcess } from "./ipc.js";
import type { BenchAccount, MintRequest } from "./fixtures.js";

export interface Target {
  name: "ours" | "bare";
  url: string;
  proc: ServerProcess;
  secrets: Map<string, string>;
  account: BenchAccount;
}

export function basicAuth(t: Target, clientId: string): string {
  // RFC 6749 §2.3.1 form-encodes both parts first; ids and secrets here are base64url already.
  return `Basic ${Buffer.from(`${clientId}:${t.secrets.get(clientId)}`).toString("base64")}`;
}

export function mint(t: Target, r: Omit<MintRequest, "accountId">): Promise<string[]> {
  return t.proc.call<string[]>("mint", { ...r, accountId: t.account.id });
}

export const FORM = "application/x-www-form-urlencoded";
