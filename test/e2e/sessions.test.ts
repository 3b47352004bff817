// Scenarios 8, 9, 12 and 14: the holder's session and decisions as the relying party sees them.
// RP-initiated logout ends the Passport session too; Deny reaches the client as access_denied;
// prompt and max_age are honoured; consent is remembered per scope.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import * as client from "openid-client";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { createHolder, type TestHolder } from "../helpers/accounts.js";
import { Agent, type AgentResponse } from "../helpers/agent.js";
import {
  CALLBACK,
  LOGOUT_CALLBACK,
  answerConsent,
  authRequest,
  codeFlow,
  consentScopes,
  pageKind,
  redeem,
  redirectError,
  registerRp,
  walk,
  type Rp,
} from "../helpers/oidc.js";

pgNotice();

const SESSION_COOKIE = "passport.sid";

/** GET / and tell which home page it is: the account page of `email`, or the signed-out landing page. */
async function homeFor(agent: Agent): Promise<"signed-out" | string> {
  // Signed-in holders are sent on to their vault; follow that within the server.
  const res = await agent.follow("/");
  assert.equal(res.status, 200);
  const who = res.text.match(/<span class="who">([^<]*)<\/span>/);
  if (who) return who[1]!;
  assert.match(res.text, /href="\/signup">Create your Passport/, "the signed-out landing page");
  return "signed-out";
}

/** The provider's own logout form on the confirmation page: where it posts and its anti-forgery value. */
function logoutForm(page: AgentResponse): { action: string; xsrf: string } {
  assert.equal(page.status, 200);
  const m = page.text.match(/<form id="op.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"\/>/);
  assert.ok(m, "the confirmation page carries the provider's logout form");
  return { action: m[1]!, xsrf: m[2]! };
}

for (const db of databases()) {
  describe(`sessions, prompts and consent (${db})`, () => {
    let s: TestServer;
    let holder: TestHolder;
    let rp: Rp;

    before(async () => {
      s = await startServer(db);
      holder = await createHolder(s.app.container);
      rp = await registerRp(s, { postLogoutRedirectUris: [LOGOUT_CALLBACK] });
    });
    after(() => s.close());

    it("RP-initiated logout confirms, returns to the registered URI with the state, and ends the Passport session", async () => {
      const agent = new Agent(s.url);
      const { tokens } = await codeFlow(rp, agent, holder);
      assert.equal(await homeFor(agent), holder.email);

      // A post-logout URI the client did not register is refused without a redirect.
      const foreign = client.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: "http://localhost:8080/elsewhere" });
      const refused = await agent.get(foreign.toString());
      assert.equal(refused.status, 400);
      assert.equal(refused.location, null);

      const endUrl = client.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGOUT_CALLBACK, state: "bye-123" });
      const page = await agent.get(endUrl.toString());
      const form = logoutForm(page);
      const confirmed = await agent.request("POST", form.action, { form: { xsrf: form.xsrf, logout: "yes" } });
      assert.ok(confirmed.status === 302 || confirmed.status === 303, `status ${confirmed.status}`);
      const back = new URL(confirmed.location!);
      assert.equal(`${back.origin}${back.pathname}`, LOGOUT_CALLBACK);
      assert.equal(back.searchParams.get("state"), "bye-123");

      assert.equal(agent.cookie(SESSION_COOKIE), undefined, "the Passport session cookie is gone");
      assert.equal(await homeFor(agent), "signed-out");
      const again = await authRequest(rp.config);
      const res = await agent.follow(again.url.toString());
      assert.equal(pageKind(res), "login", "a new authorization asks to sign in");
    });

    it("declining the RP-initiated logout keeps the Passport session", async () => {
      const agent = new Agent(s.url);
      const { tokens } = await codeFlow(rp, agent, holder);
      const endUrl = client.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGOUT_CALLBACK, state: "stay" });
      const page = await agent.get(endUrl.toString());
      const form = logoutForm(page);
      const declined = await agent.request("POST", form.action, { form: { xsrf: form.xsrf } });
      assert.equal(new URL(declined.location!).searchParams.get("state"), "stay");
      assert.equal(await homeFor(agent), holder.email);
    });

    it("Deny on the consent page sends access_denied and the state to the client", async () => {
      const denier = await registerRp(s, { name: "Denied RP" });
      const req = await authRequest(denier.config);
      const { callback, sawConsent } = await walk(new Agent(s.url), req.url, { holder, consent: "deny" });
      assert.ok(sawConsent);
      assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
      assert.equal(callback.searchParams.get("code"), null);
      const err = redirectError(callback);
      assert.equal(err.error, "access_denied");
      assert.equal(err.state, req.state);
    });

    it("prompt=none without a session answers login_required; with a session and consent it answers a code", async () => {
      const req = await authRequest(rp.config, { prompt: "none" });
      const res = await new Agent(s.url).follow(req.url.toString());
      const err = redirectError(new URL(res.url));
      assert.equal(err.error, "login_required");
      assert.equal(err.state, req.state);

      const agent = new Agent(s.url);
      await codeFlow(rp, agent, holder);
      const silent = await authRequest(rp.config, { prompt: "none" });
      const w = await walk(agent, silent.url);
      assert.equal(w.sawLogin || w.sawConsent, false);
      const tokens = await redeem(rp.config, w.callback, silent);
      assert.equal(tokens.claims()!.nonce, silent.nonce);
    });

    it("prompt=login shows the sign-in page again although the holder is signed in", async () => {
      const agent = new Agent(s.url);
      await codeFlow(rp, agent, holder);
      const { walk: w, claims } = await codeFlow(rp, agent, holder, { prompt: "login" });
      assert.equal(w.sawLogin, true);
      assert.equal(w.sawConsent, false, "consent was already given");
      assert.equal(typeof claims.sub, "string");
    });

    it("max_age: a recent sign-in counts, one older than max_age asks again", async () => {
      const agent = new Agent(s.url);
      const first = await codeFlow(rp, agent, holder, { max_age: "60" });
      const authTime = first.claims.auth_time!;
      assert.equal(typeof authTime, "number", "max_age makes the ID token carry auth_time");
      const recent = await codeFlow(rp, agent, holder, { max_age: "60" });
      assert.equal(recent.walk.sawLogin, false);
      assert.equal(recent.claims.auth_time, authTime);

      // auth_time has one-second resolution: wait until the sign-in is surely over a second old.
      await sleep(Math.max(0, (authTime + 2) * 1000 - Date.now()));
      const stale = await codeFlow(rp, agent, holder, { max_age: "1" });
      assert.equal(stale.walk.sawLogin, true);
      assert.ok(stale.claims.auth_time! > authTime, "the new sign-in has a newer auth_time");
    });

    it("remembers consent per scope: the same scopes skip the page, a new scope asks for it alone", async () => {
      const remembering = await registerRp(s, { name: "Remembering RP" });
      const agent = new Agent(s.url);
      const first = await codeFlow(remembering, agent, holder, { scope: "openid" });
      assert.equal(first.walk.sawConsent, true);
      const second = await codeFlow(remembering, agent, holder, { scope: "openid" });
      assert.equal(second.walk.sawConsent, false);

      const wider = await authRequest(remembering.config, { scope: "openid email" });
      const page = await agent.follow(wider.url.toString());
      assert.equal(pageKind(page), "consent");
      assert.deepEqual(consentScopes(page), ["email"]);
      const callback = await agent.follow(await answerConsent(agent, page, "allow"));
      const tokens = await redeem(remembering.config, new URL(callback.url), wider);
      assert.equal(tokens.scope?.split(" ").sort().join(" "), "email openid");

      const third = await codeFlow(remembering, agent, holder, { scope: "openid email" });
      assert.equal(third.walk.sawConsent, false);
    });
  });
}
