// Scenarios 3 and 10: requests the provider refuses. PKCE S256 for every client, no implicit or
// password flows, and never a redirect to a URI that was not registered exactly.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { createHolder, type TestHolder } from "../helpers/accounts.js";
import { Agent } from "../helpers/agent.js";
import { CALLBACK, authRequest, redirectError, registerRp, rejectsWith, type Rp } from "../helpers/oidc.js";

pgNotice();

/** Follows an authorization URL with a fresh browser and returns the client redirect's error. */
async function refusedWith(s: TestServer, url: URL, expectedState: string) {
  const res = await new Agent(s.url).follow(url.toString());
  const target = new URL(res.url);
  assert.equal(`${target.origin}${target.pathname}`, CALLBACK, `expected an error redirect to the client, got ${res.status} at ${res.url}`);
  const err = redirectError(target);
  assert.equal(err.state, expectedState, "the state comes back with the error");
  assert.equal(target.searchParams.get("code") ?? new URLSearchParams(target.hash.slice(1)).get("code"), null);
  return err;
}

for (const db of databases()) {
  describe(`request policy (${db})`, () => {
    let s: TestServer;
    let confidential: Rp;
    let publicRp: Rp;
    let holder: TestHolder;

    before(async () => {
      s = await startServer(db);
      holder = await createHolder(s.app.container);
      confidential = await registerRp(s, { name: "Confidential" });
      publicRp = await registerRp(s, { name: "Public", type: "public", tokenEndpointAuthMethod: "none" }, { auth: () => client.None() });
    });
    after(() => s.close());

    it("requires PKCE of confidential and public clients alike", async () => {
      for (const rp of [confidential, publicRp]) {
        const req = await authRequest(rp.config);
        req.url.searchParams.delete("code_challenge");
        req.url.searchParams.delete("code_challenge_method");
        const err = await refusedWith(s, req.url, req.state);
        assert.equal(err.error, "invalid_request");
        assert.match(err.description ?? "", /PKCE/);
      }
    });

    it("refuses code_challenge_method=plain", async () => {
      const req = await authRequest(confidential.config, { code_challenge: "a".repeat(43), code_challenge_method: "plain" });
      const err = await refusedWith(s, req.url, req.state);
      assert.equal(err.error, "invalid_request");
      assert.match(err.description ?? "", /code_challenge_method/);
    });

    it("refuses the implicit response types token and id_token", async () => {
      for (const responseType of ["token", "id_token", "id_token token"]) {
        const req = await authRequest(confidential.config, { response_type: responseType });
        const err = await refusedWith(s, req.url, req.state);
        assert.equal(err.error, "unsupported_response_type", responseType);
      }
    });

    it("refuses the password grant", async () => {
      const attempt = client.genericGrantRequest(confidential.config, "password", { username: holder.email, password: holder.password });
      await rejectsWith(attempt, "unsupported_grant_type");
    });

    it("shows an error page, never a redirect, for a redirect URI that is not registered exactly", async () => {
      const wrong = ["http://localhost:8080/other", `${CALLBACK}/`, `${CALLBACK}?next=1`, "http://127.0.0.1:8080/cb", "http://localhost:8081/cb"];
      for (const redirectUri of wrong) {
        const req = await authRequest(confidential.config, { redirect_uri: redirectUri });
        const res = await new Agent(s.url).get(req.url.toString());
        assert.equal(res.status, 400, redirectUri);
        assert.equal(res.location, null, `redirected to ${res.location} for ${redirectUri}`);
        assert.match(res.headers.get("content-type") ?? "", /text\/html/);
        assert.match(res.text, /invalid_redirect_uri|redirect_uri_mismatch/, redirectUri);
        assert.ok(!res.text.includes(req.state), "the page does not echo the request back");
      }
    });
  });
}
