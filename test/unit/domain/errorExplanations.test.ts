// The error parser and the credential comparison, with the exact texts the emulator sends (sandbox/entra/token.ts,
// sandbox/entra/common.ts, sandbox/errors.ts) and the shapes of real payloads from public reports (ids changed).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AZURE_CLOUD } from '../../../src/domain/clouds';
import {
  compareWithCredentials,
  credentialsOfOtherTenants,
  differenceKind,
  explainParsed,
  explanationMarkdown,
  NO_CODE_SUMMARY,
  parseErrorText,
  type ExplainedApp,
} from '../../../src/domain/errorExplanations';
import type { FederatedCredential } from '../../../src/domain/model';
import { hasExplainableCode } from '../../../src/domain/errorCodes';

const TRACE = '0f4c0a7e-3a1e-4f57-9b0e-6c2d1f0a7e00';
const CORRELATION = '5d3f6a1c-2b4e-4c8d-9a7f-1e2d3c4b5a69';
const HOME = '3d1e2be9-a10a-4a0c-8380-7ce190f98ed9';
const CUSTOMER = '9b1c7d2e-4f3a-4b5c-8d6e-7f8091a2b3c4';
const APP_ID = 'c0ffee00-1234-4abc-8def-0123456789ab';
const MI = 'a7d388c3-5e3f-4959-ac7d-786b3383006a';
const LOGIN = 'https://login.microsoftonline.com';
const ISSUER = `${LOGIN}/${HOME}/v2.0`;
const CHECK_FIC = 'Check your federated identity credential Subject, Audience and Issuer against the presented assertion.';
const WIF_DOCS = 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation';
const JWT = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhN2QzODhjMyIsImF1ZCI6ImFwaTovL0F6dXJlQURUb2tlbkV4Y2hhbmdlIn0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWc';

/** The token endpoint's error body, as sandbox/errors.ts entraError writes it. */
function entraBody(error: string, code: number, message: string): string {
  const timestamp = '2026-08-20 10:11:12Z';
  return JSON.stringify({
    error,
    error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${TRACE}\r\nCorrelation ID: ${CORRELATION}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: TRACE,
    correlation_id: CORRELATION,
    error_uri: `https://127.0.0.1:4443/error?code=${code}`,
  });
}
const noMatch = (code: number, claim: string, value: string, extra = '') =>
  entraBody(
    'invalid_client',
    code,
    `No matching federated identity record found for presented assertion ${claim} '${value}'. ${extra}${CHECK_FIC} ${WIF_DOCS}`,
  );

const credential = (name: string, subject: string, issuer = ISSUER, audiences = ['api://AzureADTokenExchange']): FederatedCredential => ({
  id: `id-${name}`,
  name,
  issuer,
  subject,
  audiences,
  description: null,
});
const app: ExplainedApp = { id: 'obj-1', appId: APP_ID, displayName: 'Contoso Runbooks', signInAudience: 'AzureADMultipleOrgs' };

describe('domain/errorExplanations: parsing', () => {
  it("7002138 (the emulator's text): the code, the presented subject, trace and correlation ids, the OAuth error", () => {
    const p = parseErrorText(
      noMatch(7002138, 'subject', MI.toUpperCase(), 'The subject matches with case-insensitive comparison, but not with case-sensitive comparison. '),
    );
    assert.deepEqual(p.aadsts, [7002138]);
    assert.deepEqual(p.presented, { subject: MI.toUpperCase() });
    assert.equal(p.traceId, TRACE);
    assert.equal(p.correlationId, CORRELATION);
    assert.equal(p.timestamp, '2026-08-20 10:11:12Z');
    assert.equal(p.oauthError, 'invalid_client');
    assert.equal(p.hadSecret, false);
    assert.match(p.description ?? '', /^AADSTS7002138: No matching federated identity record found for presented assertion subject/);
    assert.doesNotMatch(p.description ?? '', /Trace ID/);
    const e = explainParsed(p);
    assert.equal(e.found, true);
    assert.equal(e.category, 'subjectMismatch');
    assert.deepEqual(e.codes, ['AADSTS7002138']);
  });

  it('700211 names the issuer (and its tenant), 700213 the subject, 700212 the audience', () => {
    const issuer = parseErrorText(noMatch(700211, 'issuer', ISSUER));
    assert.deepEqual(issuer.presented, { issuer: ISSUER });
    assert.deepEqual(issuer.tenantIds, [HOME]);
    assert.equal(explainParsed(issuer).category, 'issuerMismatch');
    assert.deepEqual(parseErrorText(noMatch(700213, 'subject', MI)).presented, { subject: MI });
    const audience = parseErrorText(noMatch(700212, 'audience', 'api://Other'));
    assert.deepEqual(audience.presented, { audience: 'api://Other' });
    assert.equal(explainParsed(audience).category, 'audienceMismatch');
  });

  it("70021 (the emulator's propagation text) names all three claims", () => {
    const p = parseErrorText(
      entraBody(
        'invalid_request',
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${ISSUER}'. Assertion Subject: '${MI}'. Assertion Audience: 'api://AzureADTokenExchange'. ${WIF_DOCS}`,
      ),
    );
    assert.deepEqual(p.presented, { issuer: ISSUER, subject: MI, audience: 'api://AzureADTokenExchange' });
    assert.equal(explainParsed(p).category, 'noMatchingCredential');
    assert.match(explainParsed(p).summary, /propagate/);
  });

  it('70021 inside a Go log line, its JSON escaped twice (the shape of azure-workload-identity #616)', () => {
    const body = `{\\"error\\":\\"invalid_request\\",\\"error_description\\":\\"AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://kubernetes.default.svc.cluster.local'. Assertion Subject: 'system:serviceaccount:default:workload-identity-sa'. Assertion Audience: 'api://AzureADTokenExchange'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation\\\\r\\\\nTrace ID: ${TRACE}\\\\r\\\\nCorrelation ID: ${CORRELATION}\\\\r\\\\nTimestamp: 2022-10-27 23:39:22Z\\",\\"error_codes\\":[70021]}`;
    const line = `E1027 23:39:22.893319 1 token_credential.go:62] "failed to acquire token" err="FromAssertion(): http call(https://login.microsoftonline.com/${HOME}/oauth2/v2.0/token)(POST) error: reply status code was 400:\\n${body}"`;
    const p = parseErrorText(line);
    assert.deepEqual(p.aadsts, [70021]);
    assert.deepEqual(p.presented, {
      issuer: 'https://kubernetes.default.svc.cluster.local',
      subject: 'system:serviceaccount:default:workload-identity-sa',
      audience: 'api://AzureADTokenExchange',
    });
    assert.equal(p.traceId, TRACE);
    assert.equal(p.correlationId, CORRELATION);
    assert.equal(p.httpStatus, 400);
    assert.deepEqual(p.tenantIds, [HOME], 'the token endpoint names the tenant');
  });

  it('7002138 and 700213 as GitHub Actions print them (Azure/login #515, dotnet/maui #31978): one line, a masked subject tells nothing', () => {
    const gh = parseErrorText(
      `Error: AADSTS7002138: No matching federated identity record found for presented assertion subject 'repo:Contoso/Deploy:environment:Production'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. ${CHECK_FIC} See documentation at: ${WIF_DOCS}. See breaking change notification and remediation at: https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#august-2024.`,
    );
    assert.deepEqual(gh.presented, { subject: 'repo:Contoso/Deploy:environment:Production' });
    const masked = parseErrorText(
      `##[error]Script failed with error: ERROR: AADSTS700213: No matching federated identity record found for presented assertion subject '***'. ${CHECK_FIC} ${WIF_DOCS} Trace ID: ${TRACE} Correlation ID: ${CORRELATION} Timestamp: 2025-10-13 14:54:34Z`,
    );
    assert.deepEqual(masked.aadsts, [700213]);
    assert.deepEqual(masked.presented, {});
    assert.equal(masked.traceId, TRACE);
    assert.equal(masked.description?.includes('Trace ID'), false);
  });

  it('700016 names the client id and the directory (a display name), 7000229 the client and its tenant', () => {
    const p = parseErrorText(
      entraBody(
        'unauthorized_client',
        700016,
        `Application with identifier '${APP_ID}' was not found in the directory 'Fabrikam'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      ),
    );
    assert.deepEqual(p.clientIds, [APP_ID]);
    assert.deepEqual(p.tenantNames, ['Fabrikam']);
    assert.deepEqual(p.tenantIds, []);
    assert.equal(explainParsed(p).category, 'appNotInTenant');
    const sp = parseErrorText(
      entraBody(
        'invalid_client',
        7000229,
        `The client application ${APP_ID} is missing service principal in the tenant ${HOME}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
      ),
    );
    assert.deepEqual(sp.clientIds, [APP_ID]);
    assert.deepEqual(sp.tenantIds, [HOME]);
    assert.equal(explainParsed(sp).category, 'missingServicePrincipal');
  });

  it("700236 names the foreign issuer, whose tenant is the identity's", () => {
    const foreign = `${LOGIN}/${CUSTOMER}/v2.0`;
    const p = parseErrorText(
      entraBody(
        'invalid_request',
        700236,
        `Entra ID tokens issued by issuer '${foreign}' may not be used for federated identity credential flows for applications or managed identities registered in this tenant.`,
      ),
    );
    assert.deepEqual(p.presented, { issuer: foreign });
    assert.deepEqual(p.tenantIds, [CUSTOMER]);
    assert.equal(explainParsed(p).category, 'crossTenantIssuer');
  });

  it('the other codes of the emulator each get their category', () => {
    const cases: Array<[number, string, string]> = [
      [
        700024,
        'Client assertion is not within its valid time range. Current time: 2026-08-20T10:00:00.000Z, expiry time of assertion 2026-08-20T09:00:00.000Z.',
        'assertionExpired',
      ],
      [700027, 'Client assertion failed signature validation.', 'assertionSignature'],
      [
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${APP_ID}'.`,
        'badSecret',
      ],
      [50027, 'JWT token is invalid or malformed.', 'assertionInvalid'],
      [
        65001,
        `The user or administrator has not consented to use the application with ID '${APP_ID}' named 'Contoso'. Send an interactive authorization request for this user and resource.`,
        'consentMissing',
      ],
      [
        500011,
        'The resource principal named https://graph.microsoft.com was not found in the tenant named Fabrikam. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.',
        'resourceNotFound',
      ],
      [
        1002012,
        'The provided value for scope User.Read is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
        'invalidScope',
      ],
      [90002, `Tenant '${CUSTOMER}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, 'tenantNotFound'],
      [7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", 'missingClientCredential'],
    ];
    for (const [code, message, category] of cases) {
      const p = parseErrorText(entraBody('invalid_client', code, message));
      assert.deepEqual(p.aadsts, [code]);
      assert.equal(explainParsed(p).category, category, `AADSTS${code}`);
    }
    assert.deepEqual(parseErrorText(entraBody('invalid_client', 7000215, cases[2]![1])).clientIds, [APP_ID]);
    assert.deepEqual(parseErrorText(entraBody('invalid_grant', 65001, cases[4]![1])).clientIds, [APP_ID]);
    const resource = parseErrorText(entraBody('invalid_resource', 500011, cases[5]![1]));
    assert.equal(resource.resource, 'https://graph.microsoft.com');
    assert.deepEqual(resource.tenantNames, ['Fabrikam']);
    assert.deepEqual(parseErrorText(entraBody('invalid_request', 90002, cases[7]![1])).tenantIds, [CUSTOMER]);
  });

  it('a Graph 403 (Authorization_RequestDenied): its code, request-id and client-request-id', () => {
    const body = JSON.stringify({
      error: {
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
        innerError: { date: '2026-08-20T10:11:12', 'request-id': TRACE, 'client-request-id': CORRELATION },
      },
    });
    const p = parseErrorText(`Invoke-RestMethod: Response status code does not indicate success: 403 (Forbidden). ${body}`);
    assert.deepEqual(p.graphCodes, ['Authorization_RequestDenied']);
    assert.equal(p.traceId, TRACE);
    assert.equal(p.correlationId, CORRELATION);
    const e = explainParsed(p);
    assert.equal(e.category, 'permissionMissing');
    assert.deepEqual(e.codes, ['Authorization_RequestDenied']);
    assert.equal(e.description, 'Insufficient privileges to complete the operation.');
  });

  it('an AADSTS code it does not know: found, with the code and its description', () => {
    const e = explainParsed(
      parseErrorText(entraBody('invalid_request', 50107, "Requested federation realm object 'https://sts.windows.net/x/' does not exist.")),
    );
    assert.equal(e.found, true);
    assert.equal(e.category, 'unknownCode');
    assert.match(e.summary, /AADSTS50107 is not one of/);
    assert.match(e.summary, /federation realm object/);
  });

  it('garbage, empty text and non-strings: "no AADSTS or Graph error code found", never a throw', () => {
    for (const input of ['', '   ', 'hello world', 'AADSTS', 'AADSTS12', '{"error":', '\u0000\u202e', 42, null, undefined, { text: 'AADSTS70021' }]) {
      const e = explainParsed(parseErrorText(input));
      assert.equal(e.found, false, JSON.stringify(input));
      assert.equal(e.summary, NO_CODE_SUMMARY);
      assert.match(e.summary, /No AADSTS or Graph error code found/);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const e = explainParsed(parseErrorText(s));
        explanationMarkdown(e);
      }),
      { numRuns: 300 },
    );
  });

  it('a JWT or a secret in the text is redacted: it reaches neither the parsed values, the explanation nor its Markdown', () => {
    const text = `client_assertion=${JWT}&client_secret=Abc~SuperSecretValue123 Authorization: Bearer ${JWT}\n${noMatch(700213, 'subject', MI)}\nassertion was ${JWT}`;
    const p = parseErrorText(text);
    assert.equal(p.hadSecret, true);
    assert.deepEqual(p.aadsts, [700213]);
    assert.deepEqual(p.presented, { subject: MI });
    const e = explainParsed(p);
    const everything = `${JSON.stringify(p)}${JSON.stringify(e)}${explanationMarkdown(e)}`;
    assert.equal(everything.includes('eyJ'), false);
    assert.equal(everything.includes('SuperSecretValue'), false);
    // A JWT where a claim would be: nothing is taken from it.
    const inClaim = parseErrorText(`AADSTS700213: No matching federated identity record found for presented assertion subject '${JWT}'.`);
    assert.equal(JSON.stringify(inClaim).includes('eyJ'), false);
    assert.equal(inClaim.presented.subject, undefined);
  });
});

describe('domain/errorExplanations: comparing with the credentials', () => {
  const clouds = [AZURE_CLOUD];

  it('a subject that differs only in case: which credential, which field, both values, and the edit that fixes it', () => {
    const c = compareWithCredentials(
      app,
      [credential('msi-aa-prod', MI.toUpperCase()), credential('gh', 'repo:x/y:ref:refs/heads/main', 'https://token.actions.githubusercontent.com')],
      { subject: MI },
      clouds,
    );
    assert.equal(c.differences.length, 1);
    assert.deepEqual(
      { ...c.differences[0], message: undefined },
      {
        credential: { id: 'id-msi-aa-prod', name: 'msi-aa-prod' },
        field: 'subject',
        configured: MI.toUpperCase(),
        presented: MI,
        kind: 'case',
        message: undefined,
      },
    );
    assert.match(
      c.details[0] ?? '',
      /^Credential "msi-aa-prod" has subject "A7D388C3-.*" but the token presented "a7d388c3-.*": .*case-sensitively since February 2025/,
    );
    assert.deepEqual(c.actions, [
      {
        label: `Set the subject of "msi-aa-prod" to "${MI}"`,
        command: 'federatedCredentials.editCredential',
        arguments: { app: 'obj-1', credential: 'id-msi-aa-prod', subject: MI },
      },
    ]);
  });

  it('an issuer no credential has: the closest credential, whose issuer names another tenant, and the presented issuer as the fix', () => {
    const presented = { issuer: `${LOGIN}/${CUSTOMER}/v2.0`, subject: MI, audience: 'api://AzureADTokenExchange' };
    const c = compareWithCredentials(app, [credential('other', 'someone-else'), credential('msi', MI)], presented, clouds);
    assert.match(c.details[0] ?? '', /^No credential of "Contoso Runbooks" has the issuer/);
    assert.match(c.details[1] ?? '', new RegExp(`The closest is "msi": .*names tenant ${HOME}, the token's names tenant ${CUSTOMER}`));
    assert.equal(c.differences[0]?.kind, 'tenant');
    assert.deepEqual(c.actions[0]?.arguments, { app: 'obj-1', credential: 'id-msi', issuer: presented.issuer });
  });

  it('an unrelated issuer: no edit is offered on a credential meant for something else', () => {
    const c = compareWithCredentials(
      app,
      [credential('gh', 'repo:x/y:ref:refs/heads/main', 'https://token.actions.githubusercontent.com')],
      { issuer: ISSUER },
      clouds,
    );
    assert.equal(c.differences[0]?.kind, 'different');
    assert.deepEqual(c.actions, []);
  });

  it('the subject of another identity with one credential of that issuer: it is named, and replacing it is offered', () => {
    const other = '11111111-2222-4333-8444-555555555555';
    const c = compareWithCredentials(app, [credential('msi', MI)], { issuer: ISSUER, subject: other, audience: 'api://AzureADTokenExchange' }, clouds);
    assert.match(c.details[0] ?? '', /has the subject "11111111-.*"; it has "msi": "a7d388c3-/);
    assert.equal(c.actions[0]?.arguments.subject, other);
  });

  it('the audience: the credential with issuer and subject that lacks it', () => {
    const c = compareWithCredentials(
      app,
      [credential('msi', MI, ISSUER, ['api://AzureADTokenExchangeUSGov'])],
      { issuer: ISSUER, subject: MI, audience: 'api://AzureADTokenExchange' },
      clouds,
    );
    assert.equal(c.differences[0]?.field, 'audience');
    assert.deepEqual(c.actions[0]?.arguments, { app: 'obj-1', credential: 'id-msi', audience: 'api://AzureADTokenExchange' });
  });

  it('an exact match (70021): no difference, the credential named, and propagation explained', () => {
    const c = compareWithCredentials(app, [credential('msi', MI)], { issuer: ISSUER, subject: MI, audience: 'api://AzureADTokenExchange' }, clouds);
    assert.deepEqual(c.matchingCredential, { id: 'id-msi', name: 'msi' });
    assert.deepEqual(c.differences, []);
    assert.deepEqual(c.actions, []);
    assert.match(c.details[0] ?? '', /matches the presented issuer, subject and audience exactly.*few minutes/);
  });

  it('whitespace and a trailing slash are named as such', () => {
    assert.equal(differenceKind('subject', ` ${MI}`, MI), 'whitespace');
    assert.equal(differenceKind('issuer', `${ISSUER}/`, ISSUER, clouds), 'trailingSlash');
    assert.equal(differenceKind('issuer', `https://sts.windows.net/${HOME}/`, ISSUER, clouds), 'issuerVersion');
    assert.equal(
      differenceKind('issuer', `https://login.microsoftonline.us/${HOME}/v2.0`, ISSUER, [AZURE_CLOUD]),
      'different',
      'an unknown cloud is just different',
    );
  });

  it('an app without credentials, and flexible credentials, are said so', () => {
    assert.match(compareWithCredentials(app, [], { subject: MI }).details[0] ?? '', /has no federated credentials at all/);
    const flexible = { ...credential('flex', ''), claimsMatchingExpression: { value: "claims['sub'] matches 'repo:x/*'", languageVersion: 1 } };
    assert.match(compareWithCredentials(app, [flexible, credential('msi', MI)], { subject: MI.toUpperCase() }).details[0] ?? '', /1 flexible credential/);
  });

  it('700236: credentials whose Entra issuer names another tenant than the app’s', () => {
    const found = credentialsOfOtherTenants([credential('here', MI), credential('there', MI, `${LOGIN}/${CUSTOMER}/v2.0`)], HOME, clouds);
    assert.deepEqual(
      found.map((f) => [f.credential.name, f.tenantId]),
      [['there', CUSTOMER]],
    );
  });

  it('the Markdown names codes, claims and ids, escapes Markdown in values, and carries no token', () => {
    const e = {
      ...explainParsed(parseErrorText(noMatch(7002138, 'subject', MI.toUpperCase()))),
      details: ['Credential "a_b" has subject *x*'],
      actions: [{ label: 'Set the subject', command: 'federatedCredentials.editCredential' as const, arguments: { app: 'x' } }],
    };
    const md = explanationMarkdown(e);
    assert.match(md, /^# AADSTS7002138: The subject matches only when case is ignored/);
    assert.match(md, /\| subject \| `A7D388C3-5E3F-4959-AC7D-786B3383006A` \|/);
    assert.match(md, /Credential "a\\_b" has subject \\\*x\\\*/);
    assert.match(md, new RegExp(`Trace ID: \`${TRACE}\``));
    assert.match(md, /## Fixes/);
  });
});

describe('domain: which texts Explain takes', () => {
  it("an AADSTS code or one of Graph's authorization codes; not a bare number or another word", () => {
    assert.equal(hasExplainableCode('Invoke-RestMethod: {"error":"invalid_client","error_description":"AADSTS700213: No matching…"}'), true);
    assert.equal(hasExplainableCode('Graph answered 403 Authorization_RequestDenied: Insufficient privileges'), true);
    assert.equal(hasExplainableCode('AADSTS1234 is too short to be a code'), false);
    assert.equal(hasExplainableCode('The runbook failed: exit code 1'), false);
  });
});
