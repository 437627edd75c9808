// A real OpenID Connect provider for the test suite: the certified `oidc-provider` package
// (devDependency, pinned), configured from a JSON file the tests write, listening on 127.0.0.1.
//
//   node tests/auth/oidc_provider/server.mjs CONFIG.json
//
// CONFIG: {"port": 0, "jwks": {"keys": [private RSA JWK]}, "clients": [...],
//          "accounts": {"<login>": {<claims>}}}
// Prints "listening <issuer>" on stdout once it accepts connections.
//
// Sign-in page (/interaction/<uid>): a login name and a "second factor used" checkbox; the
// checkbox makes the login carry amr ["pwd", "otp"] and acr "urn:rmt:test:mfa", as Entra ID and
// Keycloak do after multi-factor authentication. Consent is implied (a first-party client).
//
// Test hooks, on the same server, for what a real provider never issues on its own:
//   GET  /__test__/last-id-token     the ID token of the last token response
//   POST /__test__/next-id-token     {"id_token": "..."}: the next token response carries this
//                                    ID token instead (signed by the test with this provider's
//                                    own key), so the application's validation is what is tested.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts || {};
const host = '127.0.0.1';

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { data += chunk; if (data.length > 65536) req.destroy(); });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function loginPage(uid, clientId, error) {
  return `<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Testprovider: inloggen</title></head>
<body><main>
<h1>Testprovider</h1>
<p>Inloggen voor ${escapeHtml(clientId)}</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
  <label for="login">Gebruikersnaam</label>
  <input id="login" name="login" autocomplete="username" required>
  <input type="checkbox" id="mfa" name="mfa" value="1">
  <label for="mfa">Tweede factor gebruikt</label>
  <button type="submit">Aanmelden bij testprovider</button>
</form>
</main></body></html>`;
}

function start(port) {
  const issuer = `http://${host}:${port}`;
  const provider = new Provider(issuer, {
    clients: config.clients,
    jwks: config.jwks,
    cookies: { keys: ['oidc-test-provider-cookie-key'] },
    claims: {
      // Like Entra ID and Keycloak: how the person signed in (amr, acr) is in every ID token.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
      groups: ['groups'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
    acrValues: ['urn:rmt:test:pwd', 'urn:rmt:test:mfa'],
    // Like Entra ID and Keycloak: the requested claims are in the ID token itself.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = `<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">
<title>Testprovider: uitloggen</title></head><body><main><h1>Uitloggen bij de testprovider</h1>
${form}<button form="op.logoutForm" type="submit" name="logout" value="yes">Ja, uitloggen</button>
</main></body></html>`;
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      if (!Object.hasOwn(accounts, sub)) return undefined;
      return { accountId: sub, async claims() { return { sub, ...accounts[sub] }; } };
    },
    // A first-party client: every requested scope and claim is granted without a consent page.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ')
        : 'openid');
      grant.addOIDCClaims(['email', 'email_verified', 'name', 'groups']);
      await grant.save();
      return grant;
    },
    ttl: { IdToken: 3600, AccessToken: 3600, AuthorizationCode: 60, Interaction: 600,
      Session: 3600, Grant: 3600 },
  });

  let lastIdToken = null;
  let nextIdToken = null;
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.status === 200 && ctx.body && ctx.body.id_token) {
      lastIdToken = ctx.body.id_token;
      if (nextIdToken) {
        ctx.body.id_token = nextIdToken;
        nextIdToken = null;
      }
    }
  });
  const callback = provider.callback();

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, issuer);
      const send = (status, body, type = 'text/html; charset=utf-8') => {
        res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
        res.end(body);
      };
      if (url.pathname === '/__test__/last-id-token') {
        send(200, JSON.stringify({ id_token: lastIdToken }), 'application/json');
        return;
      }
      if (url.pathname === '/__test__/next-id-token' && req.method === 'POST') {
        nextIdToken = JSON.parse(await readBody(req)).id_token;
        send(204, '');
        return;
      }
      const match = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
      if (match) {
        const details = await provider.interactionDetails(req, res);
        if (!match[2]) {
          send(200, loginPage(details.uid, details.params.client_id));
          return;
        }
        const form = new URLSearchParams(await readBody(req));
        const login = form.get('login') || '';
        if (!Object.hasOwn(accounts, login)) {
          send(400, loginPage(details.uid, details.params.client_id, 'Onbekende gebruiker.'));
          return;
        }
        const mfa = form.get('mfa') === '1';
        await provider.interactionFinished(req, res, {
          login: {
            accountId: login,
            amr: mfa ? ['pwd', 'otp'] : ['pwd'],
            acr: mfa ? 'urn:rmt:test:mfa' : 'urn:rmt:test:pwd',
            remember: false,
          },
        }, { mergeWithLastSubmission: false });
        return;
      }
      callback(req, res);
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err && err.stack));
    }
  });
  return server;
}

// Listen first on the requested (or a free) port, then build the provider: its issuer must name
// the port.
const probe = createServer();
probe.listen(config.port || 0, host, () => {
  const { port } = probe.address();
  probe.close(() => {
    const server = start(port);
    server.listen(port, host, () => {
      process.stdout.write(`listening http://${host}:${port}\n`);
    });
  });
});
process.on('SIGTERM', () => process.exit(0));
