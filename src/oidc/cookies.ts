// Names of Passport's own cookies (oidc-provider names its own).
export const SESSION_COOKIE = "passport.sid";
export const CSRF_COOKIE = "passport.csrf";
