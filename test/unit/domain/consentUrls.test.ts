import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AZURE_CHINA_CLOUD, AZURE_CLOUD, AZURE_US_GOVERNMENT, Cloud, resolveCloud } from '../../../src/domain/clouds';
import { buildAdminConsentUrl, buildAdminConsentUrlV2, checkAdminConsentInput, checkRedirectUri } from '../../../src/domain/consentUrls';
import { ValidationError } from '../../../src/domain/validation';

const APP = '11111111-2222-3333-4444-555555555555';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const custom = resolveCloud('Custom', {
  loginUrl: 'http://127.0.0.1:4567/login/',
  graphUrl: 'http://127.0.0.1:4567/graph',
  armUrl: 'http://127.0.0.1:4567/arm',
  tokenExchangeAudience: 'api://X',
});

const clouds: [Cloud, string, string][] = [
  [AZURE_CLOUD, 'https://login.microsoftonline.com', 'https%3A%2F%2Fgraph.microsoft.com%2F.default'],
  [AZURE_US_GOVERNMENT, 'https://login.microsoftonline.us', 'https%3A%2F%2Fgraph.microsoft.us%2F.default'],
  [AZURE_CHINA_CLOUD, 'https://login.chinacloudapi.cn', 'https%3A%2F%2Fmicrosoftgraph.chinacloudapi.cn%2F.default'],
  [custom, 'http://127.0.0.1:4567/login', 'http%3A%2F%2F127.0.0.1%3A4567%2Fgraph%2F.default'],
];

describe('domain/consentUrls', () => {
  for (const [cloud, login, scope] of clouds) {
    describe(cloud.name, () => {
      it('builds the v1 URL', () => {
        assert.equal(buildAdminConsentUrl({ cloud, clientId: APP, tenant: TENANT }).url, `${login}/${TENANT}/adminconsent?client_id=${APP}`);
        assert.equal(
          buildAdminConsentUrl({ cloud, clientId: APP.toUpperCase(), tenant: 'Contoso.com', redirectUri: 'https://app.example/cb', state: '12345' }).url,
          `${login}/contoso.com/adminconsent?client_id=${APP}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=12345`,
        );
      });
      it('builds the v2.0 URL with the Graph .default scope of the cloud', () => {
        assert.equal(
          buildAdminConsentUrlV2({ cloud, clientId: APP, tenant: TENANT }).url,
          `${login}/${TENANT}/v2.0/adminconsent?client_id=${APP}&scope=${scope}`,
        );
        assert.equal(
          buildAdminConsentUrlV2({ cloud, clientId: APP, tenant: 'bücher.example', redirectUri: 'http://localhost:3000/done', state: 's' }).url,
          `${login}/xn--bcher-kva.example/v2.0/adminconsent?client_id=${APP}&scope=${scope}&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fdone&state=s`,
        );
      });
    });
  }

  it('warns for organizations and keeps the warning with the URL', () => {
    const built = buildAdminConsentUrl({ cloud: AZURE_CLOUD, clientId: APP, tenant: 'organizations' });
    assert.equal(built.url, `https://login.microsoftonline.com/organizations/adminconsent?client_id=${APP}`);
    assert.deepEqual(
      built.warnings.map((w) => w.code),
      ['tenant.organizations'],
    );
  });

  it('encodes a hostile state so it stays one value', () => {
    const state = `a b&c=d#e"'/?ü+%20<script>`;
    const url = new URL(buildAdminConsentUrl({ cloud: AZURE_CLOUD, clientId: APP, tenant: TENANT, state }).url);
    assert.equal(url.hash, '');
    assert.deepEqual([...url.searchParams.keys()], ['client_id', 'state']);
    assert.equal(url.searchParams.get('state'), state);
    assert.match(url.href, /state=a%20b%26c%3Dd%23e%22%27%2F%3F%C3%BC%2B%2520%3Cscript%3E$/);
  });

  const bad: [string, Partial<Parameters<typeof buildAdminConsentUrl>[0]>, string][] = [
    ['client id not a GUID', { clientId: 'my-app' }, 'Client id must be the app\'s application (client) id, a GUID; "my-app" is not.'],
    ['empty client id', { clientId: '' }, "Client id (the app's application id) is required."],
    ['client id with a query', { clientId: `${APP}&prompt=none` }, `Client id must be the app's application (client) id, a GUID; "${APP}&prompt=none" is not.`],
    [
      'common',
      { tenant: 'common' },
      'Tenant "common" cannot be used for admin consent: Microsoft says not to use it, because consent must be granted in one specific tenant. Give the customer tenant\'s id or domain.',
    ],
    [
      'tenant with a path',
      { tenant: 'contoso.com/oauth2' },
      'Tenant must be a tenant id (GUID) or a domain name like contoso.com; "contoso.com/oauth2" contains "/".',
    ],
    [
      'tenant with a fragment',
      { tenant: 'evil.example#' },
      'Tenant must be a tenant id (GUID) or a domain name like contoso.com; "evil.example#" contains "#".',
    ],
    [
      'redirect over http',
      { redirectUri: 'http://app.example/cb' },
      'Redirect URI must use https (http only for localhost or 127.0.0.1); "http://app.example/cb" uses http.',
    ],
    ['redirect with a fragment', { redirectUri: 'https://app.example/cb#x' }, 'Redirect URI must not contain a fragment (#…): "https://app.example/cb#x".'],
    ['relative redirect', { redirectUri: '/cb' }, 'Redirect URI must be an absolute http(s) URL; "/cb" is not.'],
    ['javascript redirect', { redirectUri: 'javascript:alert(1)' }, 'Redirect URI must be an absolute http(s) URL; "javascript:alert(1)" is not.'],
    [
      'redirect with a space',
      { redirectUri: 'https://app.example/a b' },
      'Redirect URI contains spaces or characters that must be percent-encoded: "https://app.example/a b".',
    ],
    [
      'redirect with a quote',
      { redirectUri: 'https://app.example/"x' },
      'Redirect URI contains spaces or characters that must be percent-encoded: "https://app.example/\\"x".',
    ],
    [
      'redirect with credentials',
      { redirectUri: 'https://u:p@app.example/' },
      'Redirect URI must not contain a user name or password: "https://u:p@app.example/".',
    ],
    ['empty redirect', { redirectUri: '' }, "Redirect URI must not be empty; leave it out to use the app's default."],
    ['redirect with whitespace', { redirectUri: ' https://app.example' }, 'Redirect URI must not start or end with whitespace: " https://app.example".'],
    ['long redirect', { redirectUri: `https://app.example/${'a'.repeat(240)}` }, 'Redirect URI must be at most 256 characters; it has 260.'],
    ['long state', { state: 's'.repeat(2001) }, 'State must be at most 2000 characters; it has 2001.'],
  ];
  for (const [what, override, message] of bad) {
    it(`refuses ${what}`, () => {
      const input = { cloud: AZURE_CLOUD, clientId: APP, tenant: TENANT, ...override };
      for (const build of [buildAdminConsentUrl, buildAdminConsentUrlV2]) {
        assert.throws(
          () => build(input),
          (e: unknown) => e instanceof ValidationError && e.message === message,
        );
      }
      assert.deepEqual(
        checkAdminConsentInput(input).result.errors.map((e) => e.message),
        [message],
      );
    });
  }
  it('reports several problems at once', () => {
    assert.deepEqual(
      checkAdminConsentInput({ cloud: AZURE_CLOUD, clientId: 'x', tenant: 'consumers', redirectUri: 'ftp://x' }).result.errors.map((e) => e.code),
      ['tenant.consumers', 'clientId.notGuid', 'redirectUri.notUrl'],
    );
  });
  it('checks a custom v2 scope', () => {
    assert.throws(
      () => buildAdminConsentUrlV2({ cloud: AZURE_CLOUD, clientId: APP, tenant: TENANT, scope: 'User.Read' }),
      /Scope must be one or more space-separated absolute scope URIs/,
    );
    const built = buildAdminConsentUrlV2({
      cloud: AZURE_CLOUD,
      clientId: APP,
      tenant: TENANT,
      scope: 'https://graph.microsoft.com/User.Read https://graph.microsoft.com/Mail.Send',
    });
    assert.match(built.url, /scope=https%3A%2F%2Fgraph.microsoft.com%2FUser.Read%20https%3A%2F%2Fgraph.microsoft.com%2FMail.Send$/);
    assert.deepEqual(
      built.warnings.map((w) => w.code),
      ['scope.notDefault'],
    );
  });
  it('accepts loopback redirects over http', () => {
    for (const uri of ['http://localhost', 'http://127.0.0.1:8400/cb', 'http://[::1]/x']) assert.deepEqual(checkRedirectUri(uri), [], uri);
  });

  describe('properties', () => {
    const hostile = fc.string({ unit: 'binary', maxLength: 40 });
    const tenant = fc.oneof(
      fc.uuid(),
      fc.domain().filter((d) => !/^\d+$/.test(d.split('.').pop() ?? '')),
      fc.constant('organizations'),
    );
    const redirect = fc.option(
      fc.webUrl({ validSchemes: ['https'], withQueryParameters: true }).filter((u) => u.length <= 256 && !/[\s<>"`{}|\\^#]/.test(u)),
      { nil: undefined },
    );
    it('always has exactly the expected query keys, path and origin; values round-trip', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...clouds),
          fc.uuid(),
          tenant,
          redirect,
          fc.option(hostile, { nil: undefined }),
          fc.boolean(),
          ([cloud, login], clientId, t, redirectUri, state, v2) => {
            const input = { cloud, clientId, tenant: t, redirectUri, state };
            const built = v2 ? buildAdminConsentUrlV2(input) : buildAdminConsentUrl(input);
            const url = new URL(built.url);
            assert.equal(url.hash, '');
            assert.equal(`${url.origin}${url.pathname}`, `${login}/${built.tenant.value}${v2 ? '/v2.0' : ''}/adminconsent`);
            const keys = [
              'client_id',
              ...(v2 ? ['scope'] : []),
              ...(redirectUri === undefined ? [] : ['redirect_uri']),
              ...(state === undefined ? [] : ['state']),
            ];
            assert.deepEqual([...url.searchParams.keys()], keys);
            assert.equal(url.searchParams.get('client_id'), clientId.toLowerCase());
            if (redirectUri !== undefined) assert.equal(url.searchParams.get('redirect_uri'), redirectUri);
            // A lone surrogate cannot be UTF-8 encoded; URL encoding turns it into U+FFFD, everything else round-trips.
            const wellFormed = state?.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
            if (state !== undefined) assert.equal(url.searchParams.get('state'), wellFormed);
          },
        ),
      );
    });
    it('never builds a URL from a hostile tenant: it is refused or becomes one clean path segment', () => {
      fc.assert(
        fc.property(hostile, (t) => {
          let built;
          try {
            built = buildAdminConsentUrl({ cloud: AZURE_CLOUD, clientId: APP, tenant: t });
          } catch (e) {
            assert.ok(e instanceof ValidationError);
            return;
          }
          const url = new URL(built.url);
          assert.deepEqual([...url.searchParams.keys()], ['client_id']);
          assert.equal(url.pathname.split('/').length, 3);
          assert.equal(url.host, 'login.microsoftonline.com');
        }),
      );
    });
  });
});
