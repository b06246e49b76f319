import assert from 'node:assert/strict';
import fc from 'fast-check';
import { explainAadsts, explainGraphError, GraphErrorInput, ErrorContext } from '../../../src/domain/graphErrors';
import { quote, redactSecrets } from '../../../src/domain/text';

const graph = (status: number, code: string, message: string): GraphErrorInput => ({
  status,
  body: { error: { code, message, innerError: { date: '2024-01-01T00:00:00', 'request-id': 'r', 'client-request-id': 'c' } } },
});
const JWT = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJhcGk6Ly9BenVyZUFEVG9rZW5FeGNoYW5nZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('domain/graphErrors', () => {
  const cases: [string, GraphErrorInput, ErrorContext, string, string][] = [
    [
      'duplicate name',
      graph(409, 'Request_MultipleObjectsWithSameKeyValue', 'FederatedIdentityCredential with name main already exists.'),
      { appName: 'Payroll' },
      'conflict',
      'A credential named "main" already exists on app "Payroll".',
    ],
    [
      'duplicate name, context wins',
      graph(409, 'Request_MultipleObjectsWithSameKeyValue', 'FederatedIdentityCredential with name main already exists.'),
      { appName: 'Payroll', credentialName: 'msi-aa' },
      'conflict',
      'A credential named "msi-aa" already exists on app "Payroll".',
    ],
    [
      'duplicate issuer and subject',
      graph(
        400,
        'InvalidFederatedIdentityCredentialValue',
        'The combination of issuer and subject must be unique for the application. Issuer https://x and Subject: s already exist. paramName: FederatedIdentityCredential.Subject, paramValue: s, objectType: Microsoft.Online.DirectoryServices.Application',
      ),
      {},
      'conflict',
      'Another credential on the app already has this issuer and subject; each pair may be used once per app.',
    ],
    [
      'bad name',
      graph(
        400,
        'InvalidFederatedIdentityCredentialValue',
        'The specified Name value is not a valid URI last segment. paramName: FederatedIdentityCredential.Name, paramValue: a/b, objectType: Microsoft.Online.DirectoryServices.Application',
      ),
      {},
      'invalid',
      "Entra did not accept the credential's name: The specified Name value is not a valid URI last segment.",
    ],
    [
      '403 writing a credential',
      graph(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
      { operation: 'writeCredential' },
      'forbidden',
      'Access denied (Insufficient privileges to complete the operation.). This needs the Application.ReadWrite.All permission, and to be an owner of the app or hold the Application Administrator or Cloud Application Administrator role.',
    ],
    [
      '403 listing apps',
      graph(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
      { operation: 'listApps' },
      'forbidden',
      'Access denied (Insufficient privileges to complete the operation.). This needs the Application.Read.All permission.',
    ],
    ['403 without context', { status: 403 }, {}, 'forbidden', 'Access denied. This needs a permission or directory role that the signed-in account lacks.'],
    [
      '429 with Retry-After',
      { status: 429, body: { error: { code: 'TooManyRequests', message: 'Too many requests' } }, retryAfter: '7' },
      {},
      'throttled',
      'Microsoft Graph is throttling requests; try again in 7 seconds.',
    ],
    ['429 without Retry-After', { status: 429 }, {}, 'throttled', 'Microsoft Graph is throttling requests; try again shortly.'],
    [
      '401',
      graph(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.'),
      {},
      'unauthorized',
      'The sign-in has expired or is not valid for Microsoft Graph; sign in again.',
    ],
    [
      '404 credential',
      graph(404, 'Request_ResourceNotFound', "Resource 'x' does not exist"),
      { credentialName: 'msi-aa' },
      'notFound',
      'Credential "msi-aa" was not found; it may have been deleted. Refresh the view.',
    ],
    [
      '503',
      { status: 503, body: 'Service Unavailable' },
      {},
      'unavailable',
      'Microsoft Graph had a temporary problem (HTTP 503); try again. Details: Service Unavailable',
    ],
    [
      '400 unsupported query',
      graph(
        400,
        'Request_UnsupportedQuery',
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
      ),
      {},
      'invalid',
      "Microsoft Graph did not accept the request: Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    ],
    [
      'token endpoint AADSTS700236',
      {
        status: 400,
        body: JSON.stringify({
          error: 'invalid_request',
          error_description:
            "AADSTS700236: Entra ID tokens issued by issuer 'https://login.microsoftonline.com/x/v2.0' may not be used for federated identity credential flows.",
          error_codes: [700236],
        }),
      },
      {},
      'invalid',
      "AADSTS700236: Entra refused the managed identity's token because it was issued by another tenant: the managed identity must be in the same tenant as the app registration.",
    ],
    [
      'unknown AADSTS',
      { status: 400, body: { error: 'invalid_grant', error_description: `AADSTS9999999: Something odd with ${JWT}` } },
      {},
      'unknown',
      'Sign-in failed with AADSTS9999999: AADSTS9999999: Something odd with [redacted token]',
    ],
    ['unknown shape', { status: 418, body: { weird: true } }, {}, 'unknown', 'The request failed (HTTP 418).'],
  ];
  for (const [what, input, context, kind, message] of cases) {
    it(what, () => {
      const explained = explainGraphError(input, context);
      assert.equal(explained.kind, kind);
      assert.equal(explained.message, message);
    });
  }
  it('keeps the retry hints', () => {
    assert.deepEqual(
      { ...explainGraphError({ status: 429, retryAfter: 2.2 }) },
      { status: 429, kind: 'throttled', message: 'Microsoft Graph is throttling requests; try again in 3 seconds.', retryAfterSeconds: 3, retryable: true },
    );
    assert.equal(explainGraphError({ status: 502 }).retryable, true);
    assert.equal(explainGraphError(graph(409, 'Request_MultipleObjectsWithSameKeyValue', 'x already exists')).retryable, false);
  });

  const aadsts: [number, string][] = [
    [
      70021,
      'AADSTS70021: No federated credential on the app matches the token (issuer, subject and audience must match exactly). If the credential was just added, wait a few minutes: it takes time to propagate.',
    ],
    [
      700016,
      'AADSTS700016: The app is not known in that tenant: an administrator of the tenant must first grant admin consent (open the consent URL), or the client id or tenant is wrong.',
    ],
    [65001, 'AADSTS65001: Consent is missing: an administrator of the tenant must grant admin consent for the app (open the consent URL).'],
    [7000215, 'AADSTS7000215: The client secret is wrong or expired.'],
    [50020, 'AADSTS50020: The signed-in account does not exist in that tenant; sign in with an account of the tenant (or invite it as a guest first).'],
    [
      65002,
      "AADSTS65002: VS Code's own sign-in client is not allowed these Microsoft Graph permissions in this tenant or cloud. Set federatedCredentials.authentication.clientId to your organisation's client, or use the azureCli sign-in method.",
    ],
  ];
  for (const [code, message] of aadsts) {
    it(`explains AADSTS${code}`, () => {
      assert.equal(explainAadsts(`Error: AADSTS${code}: service text. Trace ID: x`)?.message, message);
      assert.equal(explainGraphError({ status: 400, body: { error: 'invalid_client', error_description: `AADSTS${code}: text` } }).message, message);
    });
  }
  it('returns undefined without an AADSTS code', () => assert.equal(explainAadsts('nothing here'), undefined));

  it('never lets a token or secret through (property)', () => {
    const secretish = fc.constantFrom(JWT, `Bearer ${JWT.slice(0, 40)}`, 'client_secret=abc123SECRET', 'access_token":"eyJzzzz.yyyy.zzzz');
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        secretish,
        fc.string({ maxLength: 30 }),
        fc.integer({ min: 400, max: 599 }),
        (before, secret, after, status) => {
          const text = `${before}${secret}${after}`;
          for (const body of [{ error: { code: 'X', message: text } }, { error: 'invalid_grant', error_description: text }, text]) {
            const { message } = explainGraphError({ status, body }, { appName: text, credentialName: text });
            assert.doesNotMatch(message, /eyJ[A-Za-z0-9_-]{4,}\.|abc123SECRET/);
          }
        },
      ),
    );
  });
  it('redacts tokens in free text and leaves ordinary codes alone', () => {
    assert.equal(redactSecrets(`token ${JWT} end`), 'token [redacted token] end');
    assert.equal(redactSecrets('Authorization: Bearer abcdefghijklmnop'), 'Authorization: Bearer [redacted]');
    assert.equal(redactSecrets('client_assertion=xyz&client_id=1'), 'client_assertion=[redacted]&client_id=1');
    assert.equal(redactSecrets('code: Request_BadRequest'), 'code: Request_BadRequest');
    assert.equal(quote(`a${JWT}`), '"a[redacted token]"');
  });
});
