// End to end with the real Python and the sandbox: the generated Python runbook for the seeded
// multi-tenant app, signing in with the Automation account's user-assigned identity (the app trusts
// it through a federated credential), run by python3 with the sandbox's managed-identity endpoint in
// its environment and the sandbox CA as SSL_CERT_FILE. Two target tenants: the customer tenant (no
// consent at first) and the home tenant.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON_EXIT_CODES, renderRunbook } from '../../../src/runbooks';
import { startSandbox, type Sandbox } from '../../../sandbox';
import { trustSandboxCa } from '../../../sandbox/trust';

function run(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('python3', [script], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

describe('generated Python runbook, run with python3 against the sandbox', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let untrust: () => void;
  let dir: string;
  let script: string;
  const issued: string[] = [];

  before(async () => {
    sandbox = await startSandbox({ seed: 61 });
    untrust = trustSandboxCa(sandbox.caCertPem);
    // Every token the sandbox signs, to prove none reaches the runbook's output.
    const core = sandbox.core;
    const issue = core.issueAccessToken.bind(core);
    core.issueAccessToken = (p) => {
      const result = issue(p);
      issued.push(result.token);
      return result;
    };
    const { info } = sandbox;
    // The home admin grants the app its application permissions in its own tenant; the customer
    // tenant has not consented yet (the seed leaves it so).
    await control('/consent', { tenant: info.homeTenant.id, clientId: info.multiTenantApp.appId });
    assert.equal(sandbox.core.state.findServicePrincipal(info.customerTenant.id, info.multiTenantApp.appId), undefined);

    dir = mkdtempSync(join(tmpdir(), 'runbook-sandbox-'));
    const runbook = renderRunbook({
      template: 'python',
      appClientId: info.multiTenantApp.appId,
      appDisplayName: 'Contoso Multi-Tenant Reporter',
      homeTenantId: info.homeTenant.id,
      targetTenants: [info.customerTenant.domain, info.homeTenant.id],
      identity: { kind: 'userAssigned', clientId: info.automationAccount.userAssigned.clientId },
      cloud: { loginUrl: info.customCloud.loginUrl, graphUrl: info.customCloud.graphUrl, tokenExchangeAudience: info.customCloud.tokenExchangeAudience },
      generatedOn: '2025-06-01',
    });
    script = join(dir, runbook.fileName);
    writeFileSync(script, runbook.content);
  });

  after(async () => {
    untrust?.();
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function control(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${sandbox.info.controlUrl}${path}`, {
      method: 'POST',
      headers: { 'X-Sandbox-Control-Key': sandbox.info.controlKey, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return response.json();
  }

  function env(): NodeJS.ProcessEnv {
    const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PYTHONIOENCODING: 'utf-8' };
    for (const k of ['PYENV_ROOT', 'PYENV_VERSION', 'LANG']) if (process.env[k]) base[k] = process.env[k];
    return {
      ...base,
      IDENTITY_ENDPOINT: sandbox.info.managedIdentityEndpoint,
      IDENTITY_HEADER: sandbox.info.identityHeader,
      SSL_CERT_FILE: sandbox.info.caPath,
    };
  }

  function assertNoSecrets(output: string): void {
    assert.ok(issued.length > 0, 'the sandbox issued tokens');
    for (const token of issued) assert.ok(!output.includes(token), 'an access token issued by the sandbox was printed');
    assert.doesNotMatch(output, JWT, 'something JWT-shaped was printed');
    assert.ok(!output.includes(sandbox.info.identityHeader), 'the identity header was printed');
  }

  function tokenRequests(since: number) {
    return sandbox.requests(since).filter((r) => r.area === 'login' && r.method === 'POST' && /\/oauth2\/v2\.0\/token$/.test(r.path));
  }

  it('before consent in the customer tenant: AADSTS700016 for it, the home tenant still lists its users, exit code 2', async () => {
    const { info } = sandbox;
    const mark = sandbox.requests().at(-1)?.seq ?? 0;
    const r = await run(script, env());
    const output = r.stdout + r.stderr;
    assert.equal(r.code, PYTHON_EXIT_CODES.someFailed, output);
    const customer = info.customerTenant.domain.replace(/\./g, '\\.');
    assert.match(
      r.stdout,
      new RegExp(
        `^\\[FAILED\\] ${customer}: HTTP 400: AADSTS700016: Application with identifier '${info.multiTenantApp.appId}' was not found in the directory`,
        'm',
      ),
    );
    assert.match(r.stdout, /^ {9}The app is not in this tenant yet: an admin of the tenant has to consent to it\.$/m);
    assert.match(r.stdout, new RegExp(`^\\[OK\\] {5}${info.homeTenant.id}: token for `, 'm'));
    assert.ok(
      info.users.some((u) => u.tenantId === info.homeTenant.id && r.stdout.includes(`${u.displayName} <${u.username}>`)),
      'a home user is listed',
    );
    assert.match(r.stdout, /Summary:\n {2}FAILED .*AADSTS700016.*\n {2}OK {5}.* user\(s\) read\n/);
    assert.match(r.stderr, /1 of 2 target tenant\(s\) failed\./);
    assertNoSecrets(output);

    // One managed-identity token (for the user-assigned identity), then one client-assertion request per tenant.
    const mi = sandbox.requests(mark).filter((q) => q.area === 'mi');
    assert.equal(mi.length, 1, JSON.stringify(mi));
    assert.equal(mi[0]?.query.client_id, info.automationAccount.userAssigned.clientId);
    assert.equal(mi[0]?.query.resource, 'api://AzureADTokenExchange');
    const tokens = tokenRequests(mark);
    assert.deepEqual(
      tokens.map((t) => [t.path, t.status]),
      [
        [`/${info.customerTenant.domain}/oauth2/v2.0/token`, 400],
        [`/${info.homeTenant.id}/oauth2/v2.0/token`, 200],
      ],
    );
  });

  it('after the customer admin consents on the consent page: both tenants list their users, exit code 0', async () => {
    const { info } = sandbox;
    const consentUrl = `${info.loginUrl}/${info.customerTenant.id}/adminconsent?${new URLSearchParams({ client_id: info.multiTenantApp.appId })}`;
    const accepted = await fetch(consentUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: info.multiTenantApp.appId,
        redirect_uri: info.multiTenantApp.redirectUri,
        state: 'e2e',
        login: info.admins.customer.username,
        passwd: info.admins.customer.password,
        action: 'accept',
      }),
    });
    assert.equal(accepted.status, 302, await accepted.text());
    assert.equal(new URL(accepted.headers.get('location') ?? '').searchParams.get('admin_consent'), 'True');

    const mark = sandbox.requests().at(-1)?.seq ?? 0;
    const r = await run(script, env());
    const output = r.stdout + r.stderr;
    assert.equal(r.code, PYTHON_EXIT_CODES.allSucceeded, output);
    const customer = info.customerTenant.domain.replace(/\./g, '\\.');
    assert.match(r.stdout, new RegExp(`^\\[OK\\] {5}${customer}: token for .*; first users:$`, 'm'));
    const customerUser = info.users.find((u) => u.tenantId === info.customerTenant.id && !u.roles.includes('Global Administrator'));
    assert.ok(customerUser, 'the seed has a plain customer user');
    assert.ok(r.stdout.includes(`${customerUser.displayName} <${customerUser.username}>`), `${customerUser.displayName} is listed:\n${r.stdout}`);
    assert.match(r.stdout, new RegExp(`^\\[OK\\] {5}${info.homeTenant.id}: `, 'm'));
    assert.doesNotMatch(output, /FAILED|AADSTS/);
    assertNoSecrets(output);

    // The customer tenant's users were read with an app token of that tenant, carrying User.Read.All.
    const graph = sandbox.requests(mark).filter((q) => q.area === 'graph' && q.path === '/graph/v1.0/users');
    assert.deepEqual(
      graph.map((g) => [g.caller?.tid, g.status]),
      [
        [info.customerTenant.id, 200],
        [info.homeTenant.id, 200],
      ],
    );
    assert.ok(graph.every((g) => g.caller?.idtyp === 'app' && g.caller.roles?.includes('User.Read.All')));
  });
});
