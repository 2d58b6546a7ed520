// A real OpenID Connect provider (panva's oidc-provider) on loopback, for the SSO browser tests.
// Playwright starts it as a web server. It knows a few fixed hospital accounts; its stock
// development login form accepts any password, and the login name picks the account.
// POST /test/accounts/<login> stands in for an IdP administrator: it moves an account between
// groups, or adds an account, so a test that changes an account has one of its own.

import http from "node:http";
import Provider from "oidc-provider";

const port = Number(process.env.IDP_PORT);
const clientId = process.env.IDP_CLIENT_ID;
const clientSecret = process.env.IDP_CLIENT_SECRET;
const redirectUris = process.env.IDP_REDIRECT_URIS?.split(" ").filter(Boolean) ?? [];
if (!port || !clientId || !clientSecret || redirectUris.length === 0) {
  throw new Error("IDP_PORT, IDP_CLIENT_ID, IDP_CLIENT_SECRET and IDP_REDIRECT_URIS (space-separated) are required");
}
const issuer = `http://127.0.0.1:${port}`;

// Keyed by login name, which is also the subject: stable, and unlike the email never reused.
const accounts = new Map(
  [
    { login: "ada", email: "ada.admin@hospital.example", name: "Ada Admin", roles: ["kq-admins", "ward-7"] },
    { login: "ben", email: "ben.nurse@hospital.example", name: "Ben Nurse", roles: [] },
  ].map((a) => [a.login, a]),
);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true },
  // The groups claim rides on the profile scope, which the app asks for. Like most enterprise
  // IdPs (Entra ID, Keycloak), the ID token carries the user's claims, not only userinfo.
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "roles"],
  },
  conformIdTokenClaims: false,
  async findAccount(_ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: account.email,
          email_verified: account.emailVerified ?? true,
          name: account.name,
          roles: account.roles,
        };
      },
    };
  },
  // A first-party application: the hospital has consented on its users' behalf, so no consent
  // screen. Every scope and claim the client asks for is granted.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(" ") : "openid");
    grant.addOIDCClaims(["email", "email_verified", "name", "roles"]);
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true } },
  // The test run is short; long-lived artefacts would only hide an expiry bug.
  ttl: { Session: 600, Grant: 600, Interaction: 600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
});

/** POST /test/accounts/<login> {"roles": [...], "email"?, "name"?, "emailVerified"?}: updates an account, or adds one. */
function testAdmin(req, res) {
  const match = /^\/test\/accounts\/([a-z0-9-]{1,64})$/.exec(new URL(req.url, issuer).pathname);
  if (req.method !== "POST" || !match) {
    res.writeHead(404).end();
    return;
  }
  const login = match[1];
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    let input;
    try {
      input = JSON.parse(body);
    } catch (err) {
      res.writeHead(400, { "content-type": "text/plain" }).end(`not JSON: ${err.message}`);
      return;
    }
    const { roles, email, name, emailVerified } = input ?? {};
    const account = accounts.get(login) ?? { login, email, name, roles: [] };
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === "string")) {
      res.writeHead(400, { "content-type": "text/plain" }).end("roles must be an array of strings");
      return;
    }
    if (typeof (email ?? account.email) !== "string" || typeof (name ?? account.name) !== "string") {
      res.writeHead(400, { "content-type": "text/plain" }).end("a new account needs an email and a name");
      return;
    }
    if (emailVerified !== undefined && typeof emailVerified !== "boolean") {
      res.writeHead(400, { "content-type": "text/plain" }).end("emailVerified must be true or false");
      return;
    }
    accounts.set(login, {
      ...account,
      roles,
      ...(email ? { email } : {}),
      ...(name ? { name } : {}),
      ...(emailVerified !== undefined ? { emailVerified } : {}),
    });
    res.writeHead(204).end();
  });
}

// The IdP's side of a failed exchange is what explains it; print it into the test output.
for (const event of ["grant.error", "authorization.error", "userinfo.error", "server_error"]) {
  provider.on(event, (_ctx, err) =>
    console.error(
      `test identity provider ${event}: ${err.message} ${err.error_description ?? ""} ${err.error_detail ?? ""}`,
    ),
  );
}

const handle = provider.callback();
http
  .createServer((req, res) => {
    if (req.url.startsWith("/test/")) return testAdmin(req, res);
    // The stock login page imports a web font from Google; keep the browser on loopback.
    res.setHeader("content-security-policy", "default-src 'self'; style-src 'self' 'unsafe-inline'");
    return handle(req, res);
  })
  .listen(port, "127.0.0.1", () => console.log(`test identity provider listening on ${issuer}`));
