// Graph $filter fidelity: lambda filters on collections (servicePrincipalNames/any, the Azure CLI's service-principal
// lookup; federatedIdentityCredentials/any, an advanced query), Edm.Guid properties of appRoleAssignments compared
// with unquoted GUIDs, and valid-but-unsupported queries answered as Graph's "not supported", never as a syntax error.
// Sources: microsoft-graph-docs-contrib concepts/filter-query-parameter.md ("Filter using lambda operators"),
// concepts/aad-advanced-queries.md, resources/serviceprincipal.md, resources/application.md, resources/approleassignment.md.
import assert from 'node:assert/strict';
import { parseFilter } from '../graph/odata';
import type { SandboxRequest } from '../router';
import { GRAPH_APP_ID } from '../state';
import { useSandbox } from './helpers';
import { appToken, call, graphErrorOf, userToken, values, type Answer } from './graph.support';

const EVENTUAL = { ConsistencyLevel: 'eventual' };
const ZERO_GUID = '00000000-0000-0000-0000-000000000000';
const GUID_VS_STRING = "A binary operator with incompatible types was detected. Found operand types 'Edm.Guid' and 'Edm.String' for operator kind 'Equal'.";
const STRING_VS_GUID = "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Guid' for operator kind 'Equal'.";
const unsupportedFor = (property: string, resource: string) =>
  `Unsupported or invalid query filter clause specified for property '${property}' of resource '${resource}'.`;

describe('sandbox graph: $filter lambdas, Edm.Guid literals, unsupported queries', () => {
  const f = useSandbox({ seed: 53, size: { apps: 30, appsWithCredentials: 10, managedIdentities: 3 } });
  const tenant = () => f.sandbox.info.homeTenant.id;
  const reader = () => appToken(f.sandbox, ['Application.Read.All']);
  const developer = () => userToken(f.sandbox, f.sandbox.core.info.users.homeDeveloper.id);
  const q = (filter: string) => `$filter=${encodeURIComponent(filter)}`;
  const get = (path: string, headers: Record<string, string> = {}) => call(f.sandbox, 'GET', path, reader(), { headers });
  const ids = (a: Answer) =>
    values<{ id: string }>(a)
      .map((x) => x.id)
      .sort();

  describe('servicePrincipalNames/any (no advanced query needed)', () => {
    const sps = () => f.sandbox.core.state.servicePrincipalsOf(tenant());
    const withName = (name: string) =>
      sps()
        .filter((s) => s.servicePrincipalNames.some((n) => n.toLowerCase() === name.toLowerCase()))
        .map((s) => s.id)
        .sort();

    it("the Azure CLI's lookup: servicePrincipalNames/any(c:c eq '{appId}') finds the service principal, any variable name, any case", async () => {
      const graph = f.sandbox.core.state.findServicePrincipal(tenant(), GRAPH_APP_ID);
      assert.ok(graph && graph.servicePrincipalNames.includes(GRAPH_APP_ID), 'the Graph SP lists its appId');
      const a = await get(`/servicePrincipals?${q(`servicePrincipalNames/any(c:c eq '${GRAPH_APP_ID}')`)}`);
      assert.deepEqual(ids(a), [graph.id]);
      assert.equal(a.body['@odata.count'], undefined);
      assert.deepEqual(ids(await get(`/servicePrincipals?${q(`servicePrincipalNames/any(x:x eq '${GRAPH_APP_ID.toUpperCase()}')`)}`)), [graph.id]);
      assert.deepEqual(ids(await get(`/servicePrincipals?${q(`servicePrincipalNames/any( spn : spn eq '${GRAPH_APP_ID}' )`)}`)), [graph.id]);
      assert.deepEqual(ids(await get(`/servicePrincipals?${q("servicePrincipalNames/any(c:c eq 'no-such-name')")}`)), []);
      // Every name of every service principal finds exactly the ones that carry it (identifier URIs included).
      for (const name of new Set(sps().flatMap((s) => s.servicePrincipalNames.slice(0, 2)))) {
        assert.deepEqual(
          ids(await get(`/servicePrincipals?$top=999&${q(`servicePrincipalNames/any(c:c eq '${name.replace(/'/g, "''")}')`)}`)),
          withName(name),
          name,
        );
      }
    });

    it('startswith inside the lambda, and/or with other clauses, and the advanced form with $count', async () => {
      const uri = sps()
        .flatMap((s) => s.servicePrincipalNames)
        .find((n) => /^(api|https?):\/\//.test(n));
      assert.ok(uri, 'the seed has a service principal with an identifier URI');
      const prefix = uri.slice(0, uri.length - 2);
      const expected = sps()
        .filter((s) => s.servicePrincipalNames.some((n) => n.toLowerCase().startsWith(prefix.toLowerCase())))
        .map((s) => s.id)
        .sort();
      assert.deepEqual(ids(await get(`/servicePrincipals?$top=999&${q(`servicePrincipalNames/any(c:startswith(c,'${prefix}'))`)}`)), expected);
      const graph = f.sandbox.core.state.findServicePrincipal(tenant(), GRAPH_APP_ID);
      assert.ok(graph);
      const both = `servicePrincipalNames/any(c:c eq '${GRAPH_APP_ID}') and servicePrincipalType eq 'Application'`;
      assert.deepEqual(ids(await get(`/servicePrincipals?${q(both)}`)), [graph.id]);
      const none = `servicePrincipalNames/any(c:c eq '${GRAPH_APP_ID}') and servicePrincipalType eq 'ManagedIdentity'`;
      assert.deepEqual(ids(await get(`/servicePrincipals?${q(none)}`)), []);
      const mi = sps().find((s) => s.servicePrincipalType === 'ManagedIdentity');
      assert.ok(mi);
      const either = `(servicePrincipalNames/any(c:c eq '${GRAPH_APP_ID}')) or appId eq '${mi.appId}'`;
      assert.deepEqual(ids(await get(`/servicePrincipals?${q(either)}`)), [graph.id, mi.id].sort());
      const counted = await get(`/servicePrincipals?$count=true&${q(`servicePrincipalNames/any(c:c eq '${GRAPH_APP_ID}')`)}`, EVENTUAL);
      assert.deepEqual(ids(counted), [graph.id]);
      assert.equal(counted.body['@odata.count'], 1);
      // not(...any...) is an advanced query, as `not` always is on directory objects.
      const notAny = `not(servicePrincipalNames/any(c:c eq '${GRAPH_APP_ID}'))`;
      graphErrorOf(await get(`/servicePrincipals?${q(notAny)}`), 400, 'Request_UnsupportedQuery');
      const rest = await get(`/servicePrincipals?$top=999&$count=true&${q(notAny)}`, EVENTUAL);
      assert.equal(values(rest).length, sps().length - 1);
    });

    it('refusals: all, bare any(), sub-properties of a string, other variables, unsupported functions (400 Request_UnsupportedQuery); GUID literals (400 BadRequest)', async () => {
      const unsupported = async (filter: string, property = 'servicePrincipalNames') => {
        const e = graphErrorOf(await get(`/servicePrincipals?${q(filter)}`), 400, 'Request_UnsupportedQuery');
        assert.equal(e.message, unsupportedFor(property, 'ServicePrincipal'), filter);
      };
      await unsupported("servicePrincipalNames/all(c:c eq 'x')");
      await unsupported('servicePrincipalNames/any()');
      await unsupported("servicePrincipalNames/any(c:c/value eq 'x')", 'servicePrincipalNames/value');
      await unsupported("servicePrincipalNames/any(c:x eq 'x')", 'x');
      await unsupported("servicePrincipalNames/any(c:endswith(c,'x'))");
      await unsupported("servicePrincipalNames/any(c:c ne 'x')");
      await unsupported("servicePrincipalNames eq 'x'");
      await unsupported("displayName/any(c:c eq 'x')", 'displayName');
      await unsupported("servicePrincipalNames/any(c:c/any(d:d eq 'x'))", 'servicePrincipalNames');
      const guid = graphErrorOf(await get(`/servicePrincipals?${q(`servicePrincipalNames/any(c:c eq ${GRAPH_APP_ID})`)}`), 400, 'BadRequest');
      assert.equal(guid.message, STRING_VS_GUID);
      for (const bad of [
        "servicePrincipalNames/any(c c eq 'x')",
        "servicePrincipalNames/any(c:c eq 'x'",
        "servicePrincipalNames/any(c:c eq 'x'))",
        'servicePrincipalNames/any(c:)',
      ]) {
        assert.match(graphErrorOf(await get(`/servicePrincipals?${q(bad)}`), 400, 'BadRequest').message, /^Invalid filter clause: /, bad);
      }
    });
  });

  describe('federatedIdentityCredentials/any on /applications (advanced query only)', () => {
    const run = `${Date.now().toString(36)}`;
    const issuer = 'https://token.actions.githubusercontent.com';
    const otherIssuer = `https://issuer-${run}.example.com`;
    const subjectMain = `repo:contoso-${run}/web:ref:refs/heads/main`;
    const subjectProd = `repo:contoso-${run}/web:environment:prod`;
    const subjectOther = `system:serviceaccount:ns-${run}:sa`;
    let web = '';
    let other = '';
    const appsFilter = (filter: string, extra = '$count=true') => `/applications?$top=999&${extra ? `${extra}&` : ''}${q(filter)}`;

    before(async () => {
      const create = async (displayName: string, fics: { name: string; issuer: string; subject: string }[]) => {
        const app = await call(f.sandbox, 'POST', '/applications', developer(), { body: { displayName } });
        assert.equal(app.status, 201, app.text);
        for (const fic of fics) {
          const c = await call(f.sandbox, 'POST', `/applications/${app.body.id}/federatedIdentityCredentials`, developer(), {
            body: { ...fic, audiences: ['api://AzureADTokenExchange'] },
          });
          assert.equal(c.status, 201, c.text);
        }
        return String(app.body.id);
      };
      web = await create(`lambda-web-${run}`, [
        { name: `gh-main-${run}`, issuer, subject: subjectMain },
        { name: `gh-prod-${run}`, issuer, subject: subjectProd },
      ]);
      other = await create(`lambda-other-${run}`, [{ name: `k8s-${run}`, issuer: otherIssuer, subject: subjectOther }]);
    });

    it('f/subject, f/issuer, f/name eq with $count=true and ConsistencyLevel: eventual; any variable name; v1.0 and beta', async () => {
      const bySubject = await get(appsFilter(`federatedIdentityCredentials/any(f:f/subject eq '${subjectMain}')`), EVENTUAL);
      assert.deepEqual(ids(bySubject), [web]);
      assert.equal(bySubject.body['@odata.count'], 1);
      assert.deepEqual(ids(await get(appsFilter(`federatedIdentityCredentials/any(x:x/subject eq '${subjectOther}')`), EVENTUAL)), [other]);
      assert.deepEqual(ids(await get(appsFilter(`federatedIdentityCredentials/any(f:f/issuer eq '${otherIssuer}')`), EVENTUAL)), [other]);
      assert.deepEqual(ids(await get(appsFilter(`federatedIdentityCredentials/any(cred:cred/name eq 'gh-prod-${run}')`), EVENTUAL)), [web]);
      // Every app with a credential from the GitHub issuer, seeded ones included, each once.
      const github = f.sandbox.core.state
        .applicationsOf(tenant())
        .filter((a) => a.federatedIdentityCredentials.some((c) => c.issuer.toLowerCase() === issuer))
        .map((a) => a.id)
        .sort();
      assert.deepEqual(ids(await get(appsFilter(`federatedIdentityCredentials/any(f:f/issuer eq '${issuer}')`), EVENTUAL)), github);
      // Strings compare case-insensitively, as the emulator's other filters (and the credential list's $filter) do.
      assert.deepEqual(ids(await get(appsFilter(`federatedIdentityCredentials/any(f:f/subject eq '${subjectMain.toUpperCase()}')`), EVENTUAL)), [web]);
      const beta = await call(
        f.sandbox,
        'GET',
        `${f.sandbox.info.graphUrl}/beta${appsFilter(`federatedIdentityCredentials/any(f:f/subject eq '${subjectProd}')`)}`,
        reader(),
        {
          headers: EVENTUAL,
        },
      );
      assert.deepEqual(ids(beta), [web]);
      assert.equal(beta.body['@odata.count'], 1);
      // $search with ConsistencyLevel is an advanced query too.
      const searched = await get(
        `/applications?$search=${encodeURIComponent(`"displayName:lambda"`)}&${q(`federatedIdentityCredentials/any(f:f/subject eq '${subjectOther}')`)}`,
        EVENTUAL,
      );
      assert.deepEqual(ids(searched), [other]);
    });

    it('startswith(f/subject, …) and combinations with and/or/not', async () => {
      const prefix = `repo:contoso-${run}/`;
      const starts = await get(appsFilter(`federatedIdentityCredentials/any(f:startswith(f/subject,'${prefix}'))`), EVENTUAL);
      assert.deepEqual(ids(starts), [web], 'two matching credentials, the app once');
      assert.equal(starts.body['@odata.count'], 1);
      const and = `federatedIdentityCredentials/any(f:f/subject eq '${subjectMain}') and displayName eq 'lambda-web-${run}'`;
      assert.deepEqual(ids(await get(appsFilter(and), EVENTUAL)), [web]);
      const andNot = `federatedIdentityCredentials/any(f:f/subject eq '${subjectMain}') and displayName eq 'lambda-other-${run}'`;
      assert.deepEqual(ids(await get(appsFilter(andNot), EVENTUAL)), []);
      const inner = `federatedIdentityCredentials/any(f:f/issuer eq '${issuer}' and f/subject eq '${subjectProd}')`;
      assert.deepEqual(ids(await get(appsFilter(inner), EVENTUAL)), [web]);
      const crossed = `federatedIdentityCredentials/any(f:f/issuer eq '${otherIssuer}' and f/subject eq '${subjectProd}')`;
      assert.deepEqual(ids(await get(appsFilter(crossed), EVENTUAL)), [], 'both conditions on the same credential');
      const or = `federatedIdentityCredentials/any(f:f/subject eq '${subjectMain}') or federatedIdentityCredentials/any(f:f/subject eq '${subjectOther}')`;
      assert.deepEqual(ids(await get(appsFilter(or), EVENTUAL)), [web, other].sort());
      const not = `startswith(displayName,'lambda-') and not(federatedIdentityCredentials/any(f:f/issuer eq '${issuer}'))`;
      assert.deepEqual(ids(await get(appsFilter(not), EVENTUAL)), [other]);
    });

    it('without $count=true and ConsistencyLevel: eventual (either one missing): 400 Request_UnsupportedQuery, on v1.0 and beta', async () => {
      const filter = `federatedIdentityCredentials/any(f:f/subject eq '${subjectMain}')`;
      const expected = unsupportedFor('federatedIdentityCredentials', 'Application');
      assert.equal(graphErrorOf(await get(appsFilter(filter, '')), 400, 'Request_UnsupportedQuery').message, expected);
      assert.equal(graphErrorOf(await get(appsFilter(filter)), 400, 'Request_UnsupportedQuery').message, expected, '$count=true alone');
      assert.equal(graphErrorOf(await get(appsFilter(filter, ''), EVENTUAL), 400, 'Request_UnsupportedQuery').message, expected, 'the header alone');
      assert.equal(graphErrorOf(await get(appsFilter(filter, '$count=false'), EVENTUAL), 400, 'Request_UnsupportedQuery').message, expected, '$count=false');
      const beta = await call(f.sandbox, 'GET', `${f.sandbox.info.graphUrl}/beta${appsFilter(filter, '')}`, reader());
      assert.equal(graphErrorOf(beta, 400, 'Request_UnsupportedQuery').message, expected);
      const starts = `federatedIdentityCredentials/any(f:startswith(f/subject,'repo:'))`;
      graphErrorOf(await get(appsFilter(starts, '')), 400, 'Request_UnsupportedQuery');
    });

    it('refusals in an advanced query: other sub-properties, the element itself, all, bare any(), unsupported functions; GUID literals', async () => {
      const unsupported = async (filter: string, property: string) => {
        const e = graphErrorOf(await get(appsFilter(filter), EVENTUAL), 400, 'Request_UnsupportedQuery');
        assert.equal(e.message, unsupportedFor(property, 'Application'), filter);
      };
      await unsupported("federatedIdentityCredentials/any(f:f/description eq 'x')", 'federatedIdentityCredentials/description');
      await unsupported("federatedIdentityCredentials/any(f:f/audiences eq 'x')", 'federatedIdentityCredentials/audiences');
      await unsupported("federatedIdentityCredentials/any(f:f eq 'x')", 'federatedIdentityCredentials');
      await unsupported("federatedIdentityCredentials/any(f:subject eq 'x')", 'subject');
      await unsupported("federatedIdentityCredentials/all(f:f/subject eq 'x')", 'federatedIdentityCredentials');
      await unsupported('federatedIdentityCredentials/any()', 'federatedIdentityCredentials');
      await unsupported("federatedIdentityCredentials/any(f:endswith(f/subject,'main'))", 'federatedIdentityCredentials/subject');
      await unsupported("federatedIdentityCredentials/any(f:contains(f/subject,'main'))", 'federatedIdentityCredentials/subject');
      await unsupported("federatedIdentityCredentials/any(f:f/subject gt 'a')", 'federatedIdentityCredentials/subject');
      await unsupported("identifierUris/any(u:u eq 'api://x')", 'identifierUris');
      const guid = graphErrorOf(await get(appsFilter(`federatedIdentityCredentials/any(f:f/subject eq ${ZERO_GUID})`), EVENTUAL), 400, 'BadRequest');
      assert.equal(guid.message, STRING_VS_GUID);
    });
  });

  describe('Edm.Guid properties of appRoleAssignments: unquoted GUID literals', () => {
    const cc = () => f.sandbox.info.confidentialClient.servicePrincipalId;
    const graphSp = () => {
      const sp = f.sandbox.core.state.findServicePrincipal(tenant(), GRAPH_APP_ID);
      assert.ok(sp);
      return sp;
    };
    const assignments = () => [...f.sandbox.core.state.appRoleAssignments.values()].filter((a) => a.tenantId === tenant());

    it('the tokenizer reads an unquoted GUID as an Edm.Guid literal (a quoted one stays a string)', () => {
      const req = {} as SandboxRequest;
      const upper = '72F988BF-86F1-41AF-91AB-2D7CD011DB47';
      assert.deepEqual(parseFilter(req, `principalId eq ${upper}`), {
        kind: 'cmp',
        op: 'eq',
        property: 'principalId',
        value: { type: 'Edm.Guid', text: upper },
      });
      assert.deepEqual(parseFilter(req, `principalId eq '${upper}'`), { kind: 'cmp', op: 'eq', property: 'principalId', value: upper });
      assert.deepEqual(parseFilter(req, `servicePrincipalNames/any(c:c eq '${upper}')`), {
        kind: 'lambda',
        collection: 'servicePrincipalNames',
        operator: 'any',
        variable: 'c',
        predicate: { kind: 'cmp', op: 'eq', property: 'c', value: upper },
      });
    });

    it('/appRoleAssignments and /appRoleAssignedTo: principalId, resourceId, appRoleId eq an unquoted GUID (any case)', async () => {
      const granted = assignments().filter((a) => a.principalId === cc());
      assert.ok(granted.length >= 2);
      const base = `/servicePrincipals/${cc()}/appRoleAssignments`;
      assert.deepEqual(ids(await get(`${base}?${q(`resourceId eq ${graphSp().id}`)}`)), granted.map((a) => a.id).sort());
      assert.deepEqual(ids(await get(`${base}?${q(`principalId eq ${cc().toUpperCase()}`)}`)), granted.map((a) => a.id).sort());
      const one = granted[0];
      assert.ok(one);
      assert.deepEqual(ids(await get(`${base}?${q(`appRoleId eq ${one.appRoleId}`)}`)), [one.id]);
      assert.deepEqual(ids(await get(`${base}?${q(`appRoleId eq ${one.appRoleId} and resourceId eq ${graphSp().id}`)}`)), [one.id]);
      assert.deepEqual(ids(await get(`${base}?${q(`appRoleId eq ${ZERO_GUID}`)}`)), []);
      const assignedTo = `/servicePrincipals/${graphSp().id}/appRoleAssignedTo?$top=999`;
      assert.deepEqual(ids(await get(`${assignedTo}&${q(`principalId eq ${cc()}`)}`)), granted.map((a) => a.id).sort());
      assert.deepEqual(
        ids(await get(`${assignedTo}&${q(`appRoleId eq ${one.appRoleId}`)}`)),
        assignments()
          .filter((a) => a.resourceId === graphSp().id && a.appRoleId === one.appRoleId)
          .map((a) => a.id)
          .sort(),
      );
      // principalId ne … is an advanced query, as ne always is.
      graphErrorOf(await get(`${base}?${q(`principalId ne ${ZERO_GUID}`)}`), 400, 'Request_UnsupportedQuery');
      assert.equal(values(await get(`${base}?$count=true&${q(`principalId ne ${ZERO_GUID}`)}`, EVENTUAL)).length, granted.length);
    });

    it("a quoted value is Edm.String: 400 BadRequest, Graph's incompatible-types message, on both routes", async () => {
      const routes = [`/servicePrincipals/${cc()}/appRoleAssignments`, `/servicePrincipals/${graphSp().id}/appRoleAssignedTo`];
      for (const route of routes) {
        for (const filter of [`principalId eq '${cc()}'`, `resourceId eq '${graphSp().id}'`, `appRoleId eq '${ZERO_GUID}'`, "principalId eq 'not-a-guid'"]) {
          const e = graphErrorOf(await get(`${route}?${q(filter)}`), 400, 'BadRequest');
          assert.equal(e.message, GUID_VS_STRING, `${route} ${filter}`);
        }
      }
      const ne = graphErrorOf(await get(`${routes[0]}?$count=true&${q(`principalId ne '${cc()}'`)}`, EVENTUAL), 400, 'BadRequest');
      assert.equal(ne.message, GUID_VS_STRING.replace("'Equal'", "'NotEqual'"));
      const number = graphErrorOf(await get(`${routes[0]}?${q('principalId eq 5')}`), 400, 'BadRequest');
      assert.equal(number.message, GUID_VS_STRING.replace("'Edm.String'", "'Edm.Int32'"));
      // A malformed GUID is no literal at all: a syntax error.
      assert.match(graphErrorOf(await get(`${routes[0]}?${q('principalId eq 0000-zz')}`), 400, 'BadRequest').message, /^Invalid filter clause: /);
    });

    it('appOwnerOrganizationId on /servicePrincipals is Edm.Guid too; id and appId stay strings', async () => {
      const owned = f.sandbox.core.state.servicePrincipalsOf(tenant()).filter((s) => s.appOwnerOrganizationId !== null);
      const org = owned[0]?.appOwnerOrganizationId;
      assert.ok(org);
      const expected = owned
        .filter((s) => s.appOwnerOrganizationId === org)
        .map((s) => s.id)
        .sort();
      assert.deepEqual(ids(await get(`/servicePrincipals?$top=999&${q(`appOwnerOrganizationId eq ${org}`)}`)), expected);
      assert.equal(graphErrorOf(await get(`/servicePrincipals?${q(`appOwnerOrganizationId eq '${org}'`)}`), 400, 'BadRequest').message, GUID_VS_STRING);
      assert.equal(graphErrorOf(await get(`/servicePrincipals?${q(`appId eq ${GRAPH_APP_ID}`)}`), 400, 'BadRequest').message, STRING_VS_GUID);
      assert.equal(values(await get(`/servicePrincipals?${q(`appId eq '${GRAPH_APP_ID}'`)}`)).length, 1);
    });
  });

  describe("valid OData the emulator does not implement: 400 Request_UnsupportedQuery, never 'Invalid filter clause'", () => {
    it('unsupported functions and operators on /applications name the property', async () => {
      for (const filter of [
        "endswith(displayName,'app')",
        "contains(displayName,'app')",
        "tolower(displayName) eq 'app'",
        "displayName gt 'a'",
        "displayName le 'a'",
        "displayName in ('a','b')",
        "displayName has 'x'",
        'createdDateTime ge 2021-11-01T00:00:00Z',
        'createdDateTime lt 2021-11-01',
        'length(displayName) eq 3',
        "startswith(tolower(displayName),'a')",
        "appId eq 'x' and endswith(displayName,'app')",
        "not(endswith(displayName,'app'))",
      ]) {
        const e = graphErrorOf(await get(`/applications?${q(filter)}`), 400, 'Request_UnsupportedQuery');
        assert.match(
          e.message,
          /^Unsupported or invalid query filter clause specified for property '(displayName|createdDateTime)' of resource 'Application'\.$/,
          filter,
        );
      }
      // The same with advanced query parameters: still not supported by the emulator.
      const advanced = graphErrorOf(await get(`/applications?$count=true&${q("endswith(displayName,'app')")}`, EVENTUAL), 400, 'Request_UnsupportedQuery');
      assert.equal(advanced.message, unsupportedFor('displayName', 'Application'));
      // Without a property to name, Graph's short form.
      assert.equal(graphErrorOf(await get(`/applications?${q("endswith('a','b')")}`), 400, 'Request_UnsupportedQuery').message, 'Unsupported query.');
    });

    it("the same on /servicePrincipals, /users and an app's federatedIdentityCredentials", async () => {
      graphErrorOf(await get(`/servicePrincipals?${q("endswith(displayName,'x')")}`), 400, 'Request_UnsupportedQuery');
      graphErrorOf(await get(`/servicePrincipals?${q("tags/any(t:t eq 'x')")}`), 400, 'Request_UnsupportedQuery');
      const users = appToken(f.sandbox, ['User.Read.All']);
      const u = await call(f.sandbox, 'GET', `/users?${q("endswith(mail,'@contoso.com')")}`, users);
      assert.equal(graphErrorOf(u, 400, 'Request_UnsupportedQuery').message, unsupportedFor('mail', 'User'));
      const app = f.sandbox.core.state.applicationsOf(tenant()).find((a) => a.federatedIdentityCredentials.length > 0);
      assert.ok(app);
      const fics = await get(`/applications/${app.id}/federatedIdentityCredentials?${q("endswith(subject,'x')")}`);
      assert.equal(graphErrorOf(fics, 400, 'Request_UnsupportedQuery').message, unsupportedFor('subject', 'FederatedIdentityCredential'));
    });

    it('real syntax errors (and unknown functions, wrong signatures) stay 400 BadRequest "Invalid filter clause"', async () => {
      for (const [filter, message] of [
        ["displayName eq 'open", /unterminated string literal/],
        ['displayName eq', /Expression expected/],
        ["(displayName eq 'x'", /Syntax error/],
        ["displayName foo 'x'", /Syntax error/],
        ['displayName eq abc', /Syntax error/],
        ["displayName eq 'x' and", /Syntax error/],
        ["displayName eq 'x' 'y'", /Syntax error/],
        ["displayName eq 'x'; drop", /character ';' is not valid/],
        ["bogus(displayName,'x')", /An unknown function with name 'bogus' was found/],
        ['startswith(displayName)', /No function signature for the function with name 'startswith'/],
        ['startswith(displayName,true)', /No function signature for the function with name 'startswith'/],
      ] as const) {
        const e = graphErrorOf(await get(`/applications?${q(filter)}`), 400, 'BadRequest');
        assert.match(e.message, /^Invalid filter clause: /, filter);
        assert.match(e.message, message, filter);
      }
    });
  });
});
