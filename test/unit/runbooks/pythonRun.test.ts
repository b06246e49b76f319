// Runs the generated Python runbook with python3 against a local emulator: an http managed-identity
// endpoint (IDENTITY_ENDPOINT/IDENTITY_HEADER, as Automation provides them) and https login/Graph
// endpoints whose CA reaches Python only through SSL_CERT_FILE.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { PYTHON_EXIT_CODES, renderRunbook, RunbookIdentity } from '../../../src/runbooks';
import { APP, baseOptions, UAMI } from './helpers';

const IDENTITY_HEADER = 'identity-header-value-7f3a';
const CONSENTED = ['contoso.onmicrosoft.com', '0b0b0b0b-1111-2222-3333-444444444444'];
const NOT_CONSENTED = 'fabrikam.onmicrosoft.com';
const AUDIENCE = 'api://AzureADTokenExchange';

function makeCertificates(): { caPem: string; keyPem: string; certPem: string } {
  const pki = forge.pki;
  const caKeys = pki.rsa.generateKeyPair(2048);
  const ca = pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = '01';
  ca.validity.notBefore = new Date(Date.now() - 86_400_000);
  ca.validity.notAfter = new Date(Date.now() + 86_400_000);
  const caName = [{ name: 'commonName', value: 'Runbook test CA' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const keys = pki.rsa.generateKeyPair(2048);
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '02';
  cert.validity.notBefore = ca.validity.notBefore;
  cert.validity.notAfter = ca.validity.notAfter;
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());
  return { caPem: pki.certificateToPem(ca), keyPem: pki.privateKeyToPem(keys.privateKey), certPem: pki.certificateToPem(cert) };
}

interface Seen {
  miRequests: URLSearchParams[];
  miHeaders: IncomingMessage['headers'][];
  tokenRequests: { tenant: string; form: URLSearchParams }[];
  graphAuth: string[];
}

async function body(req: IncomingMessage): Promise<string> {
  let data = '';
  for await (const chunk of req) data += chunk;
  return data;
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function run(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('python3', [script], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('generated Python runbook, run against a local emulator', function () {
  this.timeout(60_000);
  let dir: string;
  let caFile: string;
  let miServer: Server;
  let server: Server;
  let miPort: number;
  let port: number;
  let seen: Seen;
  const issued = new Set<string>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runbook-'));
    const { caPem, keyPem, certPem } = makeCertificates();
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, caPem);

    miServer = createHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      seen.miRequests.push(url.searchParams);
      seen.miHeaders.push(req.headers);
      if (url.pathname !== '/msi/token' || req.headers['x-identity-header'] !== IDENTITY_HEADER || req.headers.metadata !== 'true') {
        return json(res, 400, { error: 'invalid_request', error_description: 'missing headers' });
      }
      const token = `mi-token-${issued.size}-${url.searchParams.get('client_id') ?? 'system'}`;
      issued.add(token);
      json(res, 200, { access_token: token, token_type: 'Bearer', expires_on: '9999999999', resource: url.searchParams.get('resource') });
    });
    server = createHttpsServer({ key: keyPem, cert: certPem }, async (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const token = /^\/login\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
      if (token && req.method === 'POST') {
        const tenant = decodeURIComponent(token[1] as string);
        const form = new URLSearchParams(await body(req));
        seen.tokenRequests.push({ tenant, form });
        if (!issued.has(form.get('client_assertion') ?? ''))
          return json(res, 401, { error: 'invalid_client', error_description: 'AADSTS700213: No matching federated identity record found.' });
        if (tenant === NOT_CONSENTED) {
          return json(res, 400, {
            error: 'unauthorized_client',
            error_description: `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.\r\nTrace ID: 1\r\nCorrelation ID: 2`,
            error_codes: [700016],
          });
        }
        const access = `app-token-for-${tenant}`;
        issued.add(access);
        return json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: access });
      }
      if (url.pathname === '/graph/v1.0/users' && req.method === 'GET') {
        const auth = req.headers.authorization ?? '';
        seen.graphAuth.push(auth);
        const tenant = auth.replace(/^Bearer app-token-for-/, '');
        if (!issued.has(auth.replace(/^Bearer /, ''))) return json(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'bad token' } });
        assert.equal(url.searchParams.get('$top'), '2');
        return json(res, 200, {
          value: [
            { displayName: `Adele of ${tenant}`, userPrincipalName: `adele@${tenant}` },
            { displayName: 'Zoë Ünicode', userPrincipalName: `zoe@${tenant}` },
          ],
        });
      }
      json(res, 404, { error: { code: 'NotFound', message: req.url } });
    });
    [miPort, port] = await Promise.all([listen(miServer), listen(server)]);
  });

  after(() => {
    miServer?.close();
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    seen = { miRequests: [], miHeaders: [], tokenRequests: [], graphAuth: [] };
  });

  function script(targetTenants: string[], identity: RunbookIdentity): string {
    const rb = renderRunbook(
      baseOptions({
        template: 'python',
        appDisplayName: 'Contoso "Sync" ü',
        targetTenants,
        identity,
        cloud: { loginUrl: `https://127.0.0.1:${port}/login`, graphUrl: `https://127.0.0.1:${port}/graph`, tokenExchangeAudience: AUDIENCE },
      }),
    );
    const path = join(dir, `runbook-${targetTenants.length}-${identity.kind}.py`);
    writeFileSync(path, rb.content);
    return path;
  }

  function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PYTHONIOENCODING: 'utf-8' };
    for (const k of ['PYENV_ROOT', 'PYENV_VERSION', 'LANG']) if (process.env[k]) base[k] = process.env[k];
    return {
      ...base,
      IDENTITY_ENDPOINT: `http://127.0.0.1:${miPort}/msi/token`,
      IDENTITY_HEADER,
      SSL_CERT_FILE: caFile,
      // The identity endpoint must bypass proxies; this one would swallow the request if it did not.
      HTTP_PROXY: 'http://127.0.0.1:9',
      http_proxy: 'http://127.0.0.1:9',
      ...extra,
    };
  }

  function assertNoTokens(output: string): void {
    for (const t of issued) assert.ok(!output.includes(t), `a token was printed: ${t}`);
    assert.ok(!output.includes(IDENTITY_HEADER), 'the identity header was printed');
  }

  it('user-assigned, several tenants, one without consent: lists users where it can, reports AADSTS700016, carries on, exits 2', async () => {
    const tenants = [CONSENTED[0] as string, NOT_CONSENTED, CONSENTED[1] as string];
    const r = await run(script(tenants, { kind: 'userAssigned', clientId: UAMI }), env());
    const output = r.stdout + r.stderr;
    assert.equal(r.code, PYTHON_EXIT_CODES.someFailed, output);
    assert.match(r.stdout, /^App Contoso "Sync" ü \(11111111-2222-3333-4444-555555555555\): 3 target tenant\(s\)/m);
    assert.match(
      r.stdout,
      /^\[OK\] {5}contoso\.onmicrosoft\.com: token for https:\/\/127\.0\.0\.1:\d+\/graph\/\.default; first users:\n {9}Adele of contoso\.onmicrosoft\.com <adele@contoso\.onmicrosoft\.com>\n {9}Zoë Ünicode <zoe@contoso\.onmicrosoft\.com>$/m,
    );
    assert.match(
      r.stdout,
      /^\[FAILED\] fabrikam\.onmicrosoft\.com: HTTP 400: AADSTS700016: Application with identifier '11111111-2222-3333-4444-555555555555' was not found in the directory 'fabrikam\.onmicrosoft\.com'\.$/m,
    );
    assert.match(r.stdout, /^ {9}The app is not in this tenant yet: an admin of the tenant has to consent to it\.$/m);
    assert.match(r.stdout, /^\[OK\] {5}0b0b0b0b-1111-2222-3333-444444444444: /m);
    assert.match(
      r.stdout,
      /Summary:\n {2}OK {5}contoso\.onmicrosoft\.com {2}2 user\(s\) read\n {2}FAILED fabrikam\.onmicrosoft\.com {2}HTTP 400: AADSTS700016: .*\n {2}OK {5}0b0b0b0b-1111-2222-3333-444444444444 {2}2 user\(s\) read\n/,
    );
    assert.match(r.stderr, /1 of 3 target tenant\(s\) failed\./);
    assertNoTokens(output);

    assert.equal(seen.miRequests.length, 1, 'one managed identity token, reused for every tenant');
    const mi = seen.miRequests[0] as URLSearchParams;
    assert.deepEqual(Object.fromEntries(mi), { 'api-version': '2019-08-01', resource: AUDIENCE, client_id: UAMI });
    assert.equal(seen.tokenRequests.length, 3);
    for (const { form } of seen.tokenRequests) {
      assert.equal(form.get('client_id'), APP);
      assert.equal(form.get('grant_type'), 'client_credentials');
      assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      assert.equal(form.get('scope'), `https://127.0.0.1:${port}/graph/.default`);
      assert.ok(form.get('client_assertion')?.startsWith('mi-token-'));
    }
    assert.deepEqual(seen.graphAuth, [`Bearer app-token-for-${CONSENTED[0]}`, `Bearer app-token-for-${CONSENTED[1]}`]);
  });

  it('system-assigned, every tenant consented: no client_id to the identity endpoint, exits 0', async () => {
    const r = await run(script([CONSENTED[0] as string], { kind: 'systemAssigned' }), env());
    assert.equal(r.code, PYTHON_EXIT_CODES.allSucceeded, r.stdout + r.stderr);
    assert.deepEqual(Object.fromEntries(seen.miRequests[0] as URLSearchParams), { 'api-version': '2019-08-01', resource: AUDIENCE });
    assert.match(r.stdout, /^\[OK\] {5}contoso\.onmicrosoft\.com/m);
    assertNoTokens(r.stdout + r.stderr);
  });

  it('every tenant failing exits 1', async () => {
    const r = await run(script([NOT_CONSENTED], { kind: 'userAssigned', clientId: UAMI }), env());
    assert.equal(r.code, PYTHON_EXIT_CODES.allFailed, r.stdout + r.stderr);
    assert.match(r.stdout, /\[FAILED\] fabrikam\.onmicrosoft\.com: HTTP 400: AADSTS700016/);
    assert.match(r.stderr, /Every target tenant failed \(1 of 1\)\./);
  });

  it('without IDENTITY_ENDPOINT it says so and exits 1 without calling anything', async () => {
    const r = await run(script([CONSENTED[0] as string], { kind: 'userAssigned', clientId: UAMI }), env({ IDENTITY_ENDPOINT: '' }));
    assert.equal(r.code, PYTHON_EXIT_CODES.allFailed);
    assert.match(
      r.stderr,
      /No managed identity token for api:\/\/AzureADTokenExchange, so no tenant can be reached: IDENTITY_ENDPOINT and IDENTITY_HEADER are not set/,
    );
    assert.equal(seen.tokenRequests.length, 0);
  });

  it('trusts the emulator only through SSL_CERT_FILE: with the system CA bundle instead, TLS verification fails per tenant', async () => {
    const r = await run(
      script([CONSENTED[0] as string], { kind: 'userAssigned', clientId: UAMI }),
      env({ SSL_CERT_FILE: join(dir, 'missing.pem'), SSL_CERT_DIR: join(dir, 'none') }),
    );
    assert.equal(r.code, PYTHON_EXIT_CODES.allFailed, r.stdout + r.stderr);
    assert.match(r.stdout, /\[FAILED\] contoso\.onmicrosoft\.com: cannot reach 127\.0\.0\.1:\d+: .*CERTIFICATE_VERIFY_FAILED/);
    assert.equal(seen.tokenRequests.length, 0);
  });
});
