// JSON API behind the sign-up, sign-in, recovery and account pages. Bodies are the keys and wrapped
// blobs the browser derived (src/crypto); this layer parses them and answers, services decide.
import Router from "@koa/router";
import type Koa from "koa";
import { parseInput } from "../errors.js";
import type { RouteDeps } from "./index.js";
import {
  changePasswordBody,
  confirmRecoveryKeyBody,
  deleteAccountBody,
  newRecoveryKeyBody,
  passkeySignInBody,
  preloginBody,
  recoveryFinishBody,
  recoveryStartBody,
  signInBody,
  signUpBody,
} from "./schemas.js";
import { clearSessionCookie, clientInfo, requireAccount, setSessionCookie } from "./middleware/session.js";
import { deviceCookie, rememberDevice } from "./middleware/device.js";
import { endProviderSession } from "./provider-session.js";
import type { Account } from "../services/accounts.js";

const summary = (a: Account) => ({ id: a.id, email: a.email, isAdmin: a.isAdmin, recoveryKeyConfirmed: a.recoveryKeyConfirmed });

/** The pending sign-in between the right password and the passkey (its token; the database keeps a hash). */
const PASSKEY_COOKIE = "passport.passkey";

export function accountApi(d: RouteDeps): Router {
  const { accounts, sessions } = d.container;
  const r = new Router({ prefix: "/api" });

  const startSession = async (ctx: Koa.Context, accountId: string) => {
    const { token } = await sessions.create(accountId, clientInfo(ctx));
    setSessionCookie(ctx, token, d.cfg.secureCookies, d.cfg.ttl.session);
  };

  r.post("/prelogin", async (ctx) => {
    const { email } = parseInput(preloginBody, ctx.request.body);
    ctx.body = { kdf: await accounts.prelogin(email), minIterations: d.cfg.kdfIterations };
  });

  r.get("/kdf-defaults", (ctx) => {
    ctx.body = { alg: "pbkdf2-sha256", iterations: d.cfg.kdfIterations };
  });

  r.post("/signup", async (ctx) => {
    const body = parseInput(signUpBody, ctx.request.body, "sign-up");
    const account = await accounts.signUp(body, { ip: ctx.ip });
    rememberDevice(ctx, account.id, d.cfg.secureCookies);
    await startSession(ctx, account.id);
    ctx.status = 201;
    ctx.body = { account: summary(account) };
  });

  r.post("/session", async (ctx) => {
    const { email, authKey } = parseInput(signInBody, ctx.request.body, "sign-in");
    const { account, wrappedVaultKey, passkey } = await accounts.signIn(email, authKey, ctx.ip, deviceCookie(ctx), clientInfo(ctx).userAgent);
    if (passkey) {
      // The password was right; no session (and no wrapped vault key) before the passkey too.
      ctx.cookies.set(PASSKEY_COOKIE, passkey.token, { signed: true, httpOnly: true, sameSite: "strict", secure: d.cfg.secureCookies, path: "/api/session", maxAge: 5 * 60_000, overwrite: true });
      ctx.body = { secondFactor: "passkey", options: passkey.options };
      return;
    }
    rememberDevice(ctx, account.id, d.cfg.secureCookies);
    await startSession(ctx, account.id);
    ctx.body = { account: summary(account), wrappedVaultKey };
  });

  r.post("/session/passkey", async (ctx) => {
    const { response } = parseInput(passkeySignInBody, ctx.request.body, "passkey sign-in");
    const token = ctx.cookies.get(PASSKEY_COOKIE, { signed: true });
    // Taken once, right or wrong: a failed passkey starts again from the password.
    ctx.cookies.set(PASSKEY_COOKIE, null, { signed: true, path: "/api/session" });
    const { account, wrappedVaultKey } = await accounts.finishPasskeySignIn(token, response as never, ctx.ip, deviceCookie(ctx), clientInfo(ctx).userAgent);
    rememberDevice(ctx, account.id, d.cfg.secureCookies);
    await startSession(ctx, account.id);
    ctx.body = { account: summary(account), wrappedVaultKey };
  });

  r.post("/signout", async (ctx) => {
    if (ctx.state.session) await sessions.destroy(ctx.state.session);
    clearSessionCookie(ctx);
    await endProviderSession(ctx, d.host.current);
    ctx.status = 204;
  });

  r.get("/account", requireAccount, async (ctx) => {
    const { kdf, wrappedVaultKey } = await accounts.keyMaterial(ctx.state.account.id);
    ctx.body = { account: ctx.state.account, kdf, wrappedVaultKey, minIterations: d.cfg.kdfIterations };
  });

  r.post("/account/password", requireAccount, async (ctx) => {
    const body = parseInput(changePasswordBody, ctx.request.body, "password change");
    await accounts.changePassword(ctx.state.account.id, body.currentAuthKey, body, ctx.ip, deviceCookie(ctx));
    // Other devices signed in with the old password are signed out.
    await sessions.endOthers(ctx.state.session);
    ctx.status = 204;
  });

  // The browser raises an old account's KDF cost at sign-in (src/web/_signin.ts). Same password,
  // so every session stays.
  r.post("/account/kdf", requireAccount, async (ctx) => {
    const body = parseInput(changePasswordBody, ctx.request.body, "key derivation upgrade");
    await accounts.upgradeKdf(ctx.state.account.id, body.currentAuthKey, body, ctx.ip, deviceCookie(ctx));
    ctx.status = 204;
  });

  // A new recovery key (made in the browser with the vault key opened by the password) waits for
  // the holder to confirm it; the confirmation swaps it in. The same two calls finish a sign-up.
  r.post("/account/recovery-key", requireAccount, async (ctx) => {
    const body = parseInput(newRecoveryKeyBody, ctx.request.body, "new recovery key");
    await accounts.newRecoveryKey(ctx.state.account.id, body.currentAuthKey, body, ctx.ip, deviceCookie(ctx));
    ctx.status = 204;
  });

  r.post("/account/recovery-key/confirm", requireAccount, async (ctx) => {
    const { recoveryAuthKey } = parseInput(confirmRecoveryKeyBody, ctx.request.body, "recovery key confirmation");
    await accounts.confirmRecoveryKey(ctx.state.account.id, recoveryAuthKey, ctx.ip, deviceCookie(ctx));
    ctx.status = 204;
  });

  r.post("/account/delete", requireAccount, async (ctx) => {
    const { authKey } = parseInput(deleteAccountBody, ctx.request.body, "account deletion");
    await accounts.delete(ctx.state.account.id, authKey, ctx.ip, deviceCookie(ctx));
    clearSessionCookie(ctx);
    await endProviderSession(ctx, d.host.current);
    ctx.status = 204;
  });

  r.post("/recovery/start", async (ctx) => {
    const { email, recoveryAuthKey } = parseInput(recoveryStartBody, ctx.request.body, "recovery");
    ctx.body = await accounts.recoveryStart(email, recoveryAuthKey, ctx.ip, deviceCookie(ctx));
  });

  r.post("/recovery/finish", async (ctx) => {
    const body = parseInput(recoveryFinishBody, ctx.request.body, "recovery");
    const account = await accounts.recoveryFinish(body.email, body.recoveryAuthKey, body, ctx.ip, deviceCookie(ctx));
    rememberDevice(ctx, account.id, d.cfg.secureCookies);
    // Whoever held the old password is signed out everywhere; this browser starts fresh.
    await sessions.endAll(account.id);
    await startSession(ctx, account.id);
    ctx.status = 204;
  });

  return r;
}
