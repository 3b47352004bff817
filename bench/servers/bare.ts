// The bare oidc-provider process of the benchmark (see bare-provider.ts), on 127.0.0.1 with an
// ephemeral port.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type Provider from "oidc-provider";
import type { JWK } from "jose";
import { serveCalls } from "../ipc.js";
import type { BenchAccount, MintRequest, RegisteredClient } from "../fixtures.js";
import { createBareProvider } from "./bare-provider.js";
import { mintTokens } from "./mint.js";

let provider: Provider | undefined;

async function start(arg: { signingKeys: JWK[]; clients: RegisteredClient[]; account: BenchAccount }): Promise<{ url: string }> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = createBareProvider(url, arg.signingKeys, arg.clients, arg.account);
  server.on("request", provider.callback());
  return { url };
}

serveCalls({
  start,
  mint: (r: MintRequest) => mintTokens(provider!, r),
});
