// The bare oidc-provider process of the benchmark (see bare-provider.ts), on 127.0.0.1 with an
// ephemeral port. In memory, or with `plain` on a plain database adapter (plain-adapters.ts).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type Provider from "oidc-provider";
import type { JWK } from "jose";
import { serveCalls } from "../ipc.js";
import type { BenchAccount, MintRequest, RegisteredClient } from "../fixtures.js";
import type { BenchSettings } from "../settings.js";
import { createBareProvider } from "./bare-provider.js";
import { plainPostgres, plainSqlite, type PlainStore } from "./plain-adapters.js";
import { mintTokens } from "./mint.js";

let provider: Provider | undefined;
let plain: PlainStore | undefined;

interface StartArg {
  signingKeys: JWK[];
  clients: RegisteredClient[];
  account: BenchAccount;
  /** A database for a plain adapter; absent: the in-memory one. */
  plain?: BenchSettings["db"];
}

async function start(arg: StartArg): Promise<{ url: string }> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (arg.plain) plain = arg.plain.type === "postgres" ? await plainPostgres(arg.plain.url) : plainSqlite();
  provider = createBareProvider(url, arg.signingKeys, arg.clients, arg.account, plain?.adapter);
  server.on("request", provider.callback());
  return { url };
}

serveCalls({
  start,
  mint: (r: MintRequest) => mintTokens(provider!, r),
  close: async () => plain?.close(),
});
