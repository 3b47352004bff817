// Stands in for the holder's browser on the Passport consent page: fetch the request, open the
// vault, compose and seal the payload with the same code the page uses, post the JWE.
import assert from "node:assert/strict";
import { composePayload, defaultChoice, type ConsentData, type EntryChoice, type VerifiedInput } from "../../src/sharing/compose.js";
import type { Agent } from "./agent.js";

export interface ShareResult {
  consent: ConsentData;
  redirect: string;
  types: string[];
}

/**
 * Answers the consent page at `consentUrl`; `choose` may change the default choices; `verified`
 * holds the holder's opened credentials and signing key, as the page has them.
 */
export async function shareFromConsent(
  agent: Agent,
  vaultKey: CryptoKey,
  consentUrl: string,
  choose: (consent: ConsentData, choices: Map<string, EntryChoice>) => void = () => undefined,
  verified?: VerifiedInput,
): Promise<ShareResult> {
  const uid = new URL(consentUrl).pathname.split("/")[2];
  const data = await agent.request("GET", `/interaction/${uid}/passport`);
  assert.equal(data.status, 200, data.text);
  const consent = data.json<ConsentData>();
  const vault = (await agent.request("GET", "/api/vault")).json();
  const available = new Set<string>(vault.items.map((i: { type: string }) => i.type));
  const choices = new Map(consent.request.entries.map((e) => [e.key, defaultChoice(e, available)]));
  choose(consent, choices);
  const sealed = await composePayload(vaultKey, consent, vault.items, choices, Date.now(), verified);
  const res = await agent.request("POST", `/interaction/${uid}/share`, { json: sealed });
  assert.equal(res.status, 200, res.text);
  return { consent, redirect: res.json().redirect, types: sealed.types };
}
