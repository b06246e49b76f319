// Properties of every URL the domain builds: portal deep links, the cloud's Graph/ARM/login URLs and
// scopes, the Entra issuer, admin-consent URLs on custom clouds, and the Graph query builders. Each
// builder either refuses its input with a ValidationError or produces a URL that parses, sits on the
// cloud's own host, and carries the input only where it belongs (one path segment, one query value,
// one string literal that the service's own parser reads back unchanged).
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  appCredentialsPortalUrl,
  appRegistrationPortalUrl,
  armDefaultScope,
  azureResourcePortalUrl,
  BUILT_IN_CLOUDS,
  checkCustomCloud,
  entraIssuer,
  enterpriseAppPortalUrl,
  graphApiBase,
  graphDefaultScope,
  type Cloud,
} from '../../../src/domain/clouds';
import { buildAdminConsentUrl, buildAdminConsentUrlV2 } from '../../../src/domain/consentUrls';
import { appSearchQuery, encodeQuery, equalsFilter, odataString, searchClause, startsWithFilter } from '../../../src/domain/graphQuery';
import { ValidationError } from '../../../src/domain/validation';
import { parseFilter, parseSearch } from '../../../sandbox/graph/odata';
import type { SandboxRequest } from '../../../sandbox/router';

const anyText = fc.string({ unit: 'binary', maxLength: 80 });
/** Strings that survive UTF-8 (no lone surrogates): what can go on the wire at all. */
const wellFormed = anyText.map((s) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
const hostile = fc.oneof(
  wellFormed,
  fc.constantFrom("'", '"', '&', '#', '%', '$', ')', '(', '\\', '?', '/', '..', '%2F', '%27', "' or 1 eq 1 or appId eq '", '" OR "displayName:x', '$top=999&x'),
);
const req = {} as SandboxRequest;

/** Random custom clouds, valid by the setting's own checks: https hosts, optional path prefixes, ports. */
const customCloud: fc.Arbitrary<Cloud> = fc
  .tuple(
    fc.domain(),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    fc.constantFrom('', '/login', '/a/b'),
    fc.constantFrom('', '/graph'),
    fc.constantFrom('', '/arm'),
    fc.boolean(),
  )
  .map(([host, port, loginPath, graphPath, armPath, portal]) => {
    const origin = `https://${host}${port === undefined ? '' : `:${port}`}`;
    return checkCustomCloud({
      loginUrl: `${origin}${loginPath}`,
      graphUrl: `${origin}${graphPath}`,
      armUrl: `${origin}${armPath}`,
      tokenExchangeAudience: 'api://AzureADTokenExchange',
      ...(portal ? { portalUrl: `${origin}/portal` } : {}),
    }).cloud;
  })
  .filter((c): c is Cloud => c !== undefined);
const anyCloud = fc.oneof(fc.constantFrom(...BUILT_IN_CLOUDS), customCloud);

const hostOf = (url: string) => new URL(url).host;

function refusesOrBuilds(build: () => string | undefined): string | undefined {
  try {
    return build();
  } catch (error) {
    assert.ok(error instanceof ValidationError, `a ValidationError, not ${String(error)}`);
    return undefined;
  }
}

describe('domain URL builders (properties)', () => {
  it("Graph, ARM and login URLs, scopes and the Entra issuer sit on the cloud's own hosts", () => {
    fc.assert(
      fc.property(anyCloud, fc.uuid(), fc.constantFrom('v1.0' as const, 'beta' as const), (cloud, tenant, version) => {
        assert.equal(hostOf(graphApiBase(cloud, version)), hostOf(cloud.graphUrl));
        assert.equal(graphApiBase(cloud, version), `${cloud.graphUrl}/${version}`);
        assert.equal(graphDefaultScope(cloud), `${cloud.graphUrl}/.default`);
        assert.equal(armDefaultScope(cloud), `${cloud.armUrl}/.default`);
        const issuer = new URL(entraIssuer(cloud, tenant.toUpperCase()));
        assert.equal(issuer.host, hostOf(cloud.loginUrl));
        assert.equal(issuer.href, `${cloud.loginUrl}/${tenant}/v2.0`);
      }),
    );
  });

  it('the issuer builder refuses anything but a GUID tenant', () => {
    fc.assert(
      fc.property(anyCloud, hostile, (cloud, tenant) => {
        const built = refusesOrBuilds(() => entraIssuer(cloud, tenant));
        if (built !== undefined) assert.match(tenant, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
      }),
    );
  });

  it('portal links for apps and service principals: the portal host, the ids only in the fragment, non-GUIDs refused', () => {
    fc.assert(
      fc.property(anyCloud, fc.oneof(fc.uuid(), hostile), fc.oneof(fc.uuid(), hostile), (cloud, id, appId) => {
        for (const [build, ids] of [
          [() => appRegistrationPortalUrl(cloud, appId), [appId]],
          [() => appCredentialsPortalUrl(cloud, appId), [appId]],
          [() => enterpriseAppPortalUrl(cloud, id, appId), [id, appId]],
        ] as const) {
          const url = refusesOrBuilds(build);
          if (url === undefined) {
            assert.ok(cloud.entraPortalUrl === undefined || ids.some((x) => !/^[0-9a-f-]{36}$/i.test(x)));
            continue;
          }
          const parsed = new URL(url);
          assert.equal(parsed.host, hostOf(cloud.entraPortalUrl as string));
          assert.equal(parsed.search, '');
          assert.ok(parsed.hash.endsWith(`/${appId}`), parsed.hash);
        }
      }),
    );
  });

  it('resource portal links keep every segment of a hostile resource id inside its own path segment of the fragment', () => {
    const segment = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9._-]{1,10}$/),
      wellFormed.filter((s) => s !== ''),
    );
    fc.assert(
      fc.property(anyCloud, fc.uuid(), fc.array(segment, { minLength: 2, maxLength: 8 }), (cloud, tenant, segments) => {
        const resourceId = `/${segments.join('/')}`;
        const url = refusesOrBuilds(() => azureResourcePortalUrl(cloud, tenant, resourceId));
        if (url === undefined) {
          assert.ok(cloud.portalUrl === undefined || segments.some((s) => s.includes('/')) || segments.some((s) => s === ''));
          return;
        }
        const parsed = new URL(url);
        assert.equal(parsed.host, hostOf(cloud.portalUrl as string));
        assert.equal(parsed.search, '');
        const prefix = `#@${tenant}/resource/`;
        assert.ok(parsed.hash.startsWith(prefix) && parsed.hash.endsWith('/overview'), parsed.hash);
        const inside = parsed.hash.slice(prefix.length, -'/overview'.length).split('/').map(decodeURIComponent);
        assert.deepEqual(inside, resourceId.split('/').slice(1));
      }),
    );
  });

  it('admin-consent URLs on any cloud, custom ones with path prefixes included: the login host and path, exactly the expected keys', () => {
    fc.assert(
      fc.property(
        customCloud,
        fc.uuid(),
        fc.oneof(fc.uuid(), fc.constantFrom('fabrikam.onmicrosoft.com', 'organizations')),
        fc.option(hostile, { nil: undefined }),
        fc.boolean(),
        (cloud, clientId, tenant, state, v2) => {
          const input = { cloud, clientId, tenant, state };
          const built = v2 ? buildAdminConsentUrlV2(input) : buildAdminConsentUrl(input);
          const url = new URL(built.url);
          assert.equal(url.origin, new URL(cloud.loginUrl).origin);
          assert.equal(url.pathname, `${new URL(cloud.loginUrl).pathname.replace(/\/+$/, '')}/${built.tenant.value}${v2 ? '/v2.0' : ''}/adminconsent`);
          assert.deepEqual([...url.searchParams.keys()], ['client_id', ...(v2 ? ['scope'] : []), ...(state === undefined ? [] : ['state'])]);
          if (state !== undefined) assert.equal(url.searchParams.get('state'), state);
          if (v2) assert.equal(url.searchParams.get('scope'), `${cloud.graphUrl}/.default`);
        },
      ),
    );
  });

  it("OData literals and filters: Graph's $filter grammar (the sandbox's parser) reads back one comparison with the exact value", () => {
    fc.assert(
      fc.property(hostile, (value) => {
        assert.deepEqual(parseFilter(req, equalsFilter('appId', value)), { kind: 'cmp', op: 'eq', property: 'appId', value });
        assert.deepEqual(parseFilter(req, startsWithFilter('displayName', value)), { kind: 'startswith', property: 'displayName', value });
        assert.deepEqual(parseFilter(req, `id eq ${odataString(value)}`), { kind: 'cmp', op: 'eq', property: 'id', value });
      }),
    );
  });

  it("$search clauses: Graph's $search grammar (the sandbox's parser) reads back one clause with the exact term", () => {
    fc.assert(
      fc.property(hostile, (term) => {
        assert.deepEqual(parseSearch(req, searchClause('displayName', term), ['displayName']), [[{ property: 'displayName', term }]]);
      }),
    );
  });

  it('the app search query: the encoded query string has exactly its own keys, and each value decodes to what was built', () => {
    fc.assert(
      fc.property(hostile, fc.option(fc.integer({ min: 1, max: 999 }), { nil: undefined }), (term, top) => {
        const built = appSearchQuery(term, { top, select: ['id', 'appId', 'displayName'] });
        const query = new URLSearchParams(encodeQuery(built.params));
        const keys = [...query.keys()];
        assert.deepEqual(keys, Object.keys(built.params));
        assert.ok(
          keys.every((k) => ['$search', '$count', '$filter', '$top', '$select'].includes(k)),
          keys.join(),
        );
        for (const [key, value] of Object.entries(built.params)) assert.equal(query.get(key), String(value));
        if (built.params.$search !== undefined) {
          assert.deepEqual(parseSearch(req, query.get('$search') as string, ['displayName']), [[{ property: 'displayName', term: term.trim() }]]);
          assert.equal(built.headers.ConsistencyLevel, 'eventual');
        }
        if (built.params.$filter !== undefined)
          assert.deepEqual(parseFilter(req, query.get('$filter') as string), { kind: 'cmp', op: 'eq', property: 'appId', value: term.trim().toLowerCase() });
      }),
    );
  });

  it('encodeQuery refuses a lone surrogate with a ValidationError, never a bare URIError', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom('\ud800', '\udfff'), (text, half) => {
        assert.throws(
          () => encodeQuery({ $search: searchClause('displayName', text + half) }),
          (e: unknown) => e instanceof ValidationError && /lone UTF-16 surrogate/.test(e.message),
        );
      }),
    );
  });
});
