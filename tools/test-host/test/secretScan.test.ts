// The leak scanner the integration runner ends with: planted secrets in lines and files must be found in
// every form a leak takes, reported by place with the secret masked, and nothing else may match.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkForLeaks } from '../leakCheck';
import { createSecretScanner, describeSecret, formatLeak, type ScannedSecret } from '../secretScan';

const b64url = (value: string | object) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A JWT shaped like the sandbox's: RS256 header, claims, 342-character signature. */
function jwt(claims: object = { aud: 'https://graph.microsoft.com', tid: 'a', uti: randomBytes(8).toString('hex') }): string {
  return `${b64url({ typ: 'JWT', alg: 'RS256', kid: 'k1' })}.${b64url(claims)}.${randomBytes(256).toString('base64url')}`;
}
const refreshToken = () => `1.AS${randomBytes(48).toString('base64url')}`;
const clientSecret = () => `${randomBytes(3).toString('hex').slice(0, 3)}8Q~${randomBytes(30).toString('base64url').slice(0, 34)}`;

/** Every 12-character window of a secret: none may appear in a report. */
function assertNotShown(report: string, secrets: readonly ScannedSecret[]): void {
  for (const s of secrets) {
    for (let i = 0; i + 12 <= s.value.length; i++) assert.ok(!report.includes(s.value.slice(i, i + 12)), `the report shows part of ${s.kind}`);
  }
}

describe('host: secret scan', () => {
  const access = jwt();
  const refresh = refreshToken();
  const secret = clientSecret();
  const password = 'Sbx-"quoted"\\pw-42!';
  const device = `DAQABAAEAAA${randomBytes(96).toString('base64url')}`;
  const secrets: ScannedSecret[] = [
    { kind: 'accessToken', value: access },
    { kind: 'refreshToken', value: refresh },
    { kind: 'clientSecret', value: secret },
    { kind: 'password', value: password },
    { kind: 'deviceCode', value: device },
  ];
  const scanner = createSecretScanner(secrets);
  const find = (text: string) => scanner.scan('capture', text).map((l) => ({ kind: l.kind, form: l.form, line: l.line, column: l.column }));

  it('finds a whole token in a log line, with its line and column', () => {
    const text = `first line\n2025-01-01 12:00:00.000 [info] GET /v1.0/me → 200 Authorization: Bearer ${access} 12 ms\nlast line`;
    const column = text.split('\n')[1]!.indexOf(access) + 1;
    assert.deepEqual(find(text), [{ kind: 'accessToken', form: 'whole', line: 2, column }]);
  });

  it("finds a JWT's signature on its own, and the end of a token cut short by a redactor (24+ characters of the signature)", () => {
    const signature = access.split('.')[2]!;
    assert.deepEqual(find(`sig=${signature}`), [{ kind: 'accessToken', form: 'jwtSignature', line: 1, column: 5 }]);
    const cut = `token eyJ0eXAi…[redacted]…${signature.slice(-30)} end`;
    assert.deepEqual(
      find(cut).map((l) => l.form),
      ['jwtSignature'],
    );
    assert.equal(scanner.scan('c', cut)[0]!.length, 30);
    assert.deepEqual(find(`token …${signature.slice(-20)}`), [], '20 characters are under the threshold');
  });

  it("does not count a token's header and claims without its signature (not secret, and alike in every token)", () => {
    const [header, payload] = access.split('.');
    assert.deepEqual(find(`decoded ${header}.${payload}.`), []);
    assert.deepEqual(find(`${header}.${payload}.${jwt().split('.')[2]}`), [], "another token's signature");
  });

  it('finds a token inside JSON, and a JSON-escaped password', () => {
    assert.deepEqual(
      find(JSON.stringify({ token_type: 'Bearer', access_token: access, refresh_token: refresh })).map((l) => [l.kind, l.form]),
      [
        ['accessToken', 'whole'],
        ['refreshToken', 'whole'],
      ],
    );
    assert.deepEqual(
      find(JSON.stringify({ password })).map((l) => [l.kind, l.form]),
      [['password', 'jsonEscaped']],
    );
  });

  it('finds URL- and form-encoded secrets (a query string, a token request body)', () => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_secret: secret, scope: 'x/.default' }).toString();
    assert.ok(!body.includes(secret), 'the form encoding changed it');
    assert.deepEqual(
      find(`POST /token ${body}`).map((l) => [l.kind, l.form]),
      [['clientSecret', 'formEncoded']],
    );
    const query = `https://example.test/cb?pw=${encodeURIComponent(password)}&x=1`;
    assert.deepEqual(
      find(query).map((l) => [l.kind, l.form]),
      [['password', 'urlEncoded']],
    );
  });

  it('finds base64 of a secret at any alignment (Basic authorization, a base64 blob)', () => {
    const basic = Buffer.from(`client-id:${secret}`).toString('base64');
    assert.deepEqual(
      find(`Authorization: Basic ${basic}`).map((l) => [l.kind, l.form]),
      [['clientSecret', 'base64']],
    );
    for (const prefix of ['', 'a', 'ab']) {
      const blob = Buffer.from(`${prefix}{"rt":"${refresh}"}`).toString('base64url');
      // Where the encoding has no + or /, base64 and base64url are the same text.
      assert.deepEqual(
        find(blob).map((l) => [l.kind, l.form.replace('base64url', 'base64')]),
        [['refreshToken', 'base64']],
        `prefix ${JSON.stringify(prefix)}`,
      );
    }
  });

  it('finds any 24+ character piece of an opaque secret (refresh token, device code), but not a shorter one', () => {
    assert.deepEqual(
      find(`rt=${refresh.slice(10, 34)}…`).map((l) => [l.kind, l.form]),
      [['refreshToken', 'substring']],
    );
    assert.deepEqual(find(`rt=${refresh.slice(10, 33)}…`), []);
    assert.deepEqual(
      find(`device ${device.slice(0, 40)}[redacted]`).map((l) => [l.kind, l.form]),
      [['deviceCode', 'substring']],
    );
  });

  it('counts a password only whole (its pieces are too short to tell apart from ordinary text)', () => {
    assert.deepEqual(find(`login ${password.slice(0, -1)}`), []);
    assert.deepEqual(
      find(`login ${password}`).map((l) => l.form),
      ['whole'],
    );
  });

  it('reports one leak per line and secret, on every line it occurs', () => {
    const lines = ['clean', `a ${refresh} b ${refresh}`, 'clean', `again ${refresh}`];
    assert.deepEqual(
      find(lines.join('\n')).map((l) => [l.line, l.form]),
      [
        [2, 'whole'],
        [4, 'whole'],
      ],
    );
  });

  it('finds nothing in clean text, other tokens or ids', () => {
    const text = [
      `Bearer ${jwt()}`,
      refreshToken(),
      clientSecret(),
      'GET /v1.0/applications?$top=100 → 200 (request-id 0b5e…) 12 ms',
      randomBytes(4096).toString('base64'),
    ].join('\n');
    assert.deepEqual(find(text), []);
    assert.deepEqual(find(''), []);
  });

  it('skips secrets too short to search for and says how many', () => {
    const s = createSecretScanner([
      { kind: 'password', value: 'short' },
      { kind: 'accessToken', value: access },
    ]);
    assert.equal(s.skipped, 1);
    assert.deepEqual(s.scan('x', 'short').length, 0);
  });

  it('reports place, kind and form with the secret masked: no piece of it in the report', () => {
    const text = [
      `Bearer ${access}`,
      `rt ${refresh.slice(5, 40)}`,
      `Basic ${Buffer.from(`id:${secret}`).toString('base64')}`,
      `pw ${encodeURIComponent(password)}`,
      `dc ${device}`,
    ].join('\n');
    const leaks = scanner.scan('/logs/exthost.log', text);
    assert.equal(leaks.length, 5);
    const report = leaks.map((l) => formatLeak(l, secrets)).join('\n');
    assert.match(report, /^\/logs\/exthost\.log:1:8: accessToken #1 \(\d+ chars, sha256 [0-9a-f]{8}\) \[whole\] after "Bearer "$/m);
    assert.match(report, /^\/logs\/exthost\.log:2:4: refreshToken #2 .*\[substring, 35 chars\]/m);
    assert.match(describeSecret(secrets[2]!, 2), /^clientSecret #3 \(40 chars, sha256 [0-9a-f]{8}\)$/);
    assertNotShown(report, secrets);
  });

  it('elides token-like text before a leak, so the context cannot carry another secret', () => {
    const other = refreshToken();
    const s = createSecretScanner([
      { kind: 'refreshToken', value: refresh },
      { kind: 'refreshToken', value: other },
    ]);
    const leaks = s.scan('x', `${other}${refresh}`);
    const report = leaks.map((l) => formatLeak(l, s.secrets)).join('\n');
    assert.equal(leaks.length, 2);
    assertNotShown(report, s.secrets);
  });

  it('scans a few MB against a thousand secrets in one pass', function () {
    this.timeout(20_000);
    const many: ScannedSecret[] = [];
    for (let i = 0; i < 500; i++) many.push({ kind: 'accessToken', value: jwt() }, { kind: 'refreshToken', value: refreshToken() });
    const s = createSecretScanner(many);
    const text = `${randomBytes(3 * 1024 * 1024).toString('base64')}\n${many[777]!.value.slice(3, 40)}\n`;
    const started = Date.now();
    const leaks = s.scan('big', text);
    assert.deepEqual(
      leaks.map((l) => [l.secret, l.line, l.form]),
      [[777, 2, 'substring']],
    );
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });
});

describe('host: leak check over captured lines and files', () => {
  let dir: string;
  const token = jwt();
  const rt = refreshToken();
  const device = `DAQABAAEAAA${randomBytes(96).toString('base64url')}`;
  const secrets: ScannedSecret[] = [
    { kind: 'accessToken', value: token },
    { kind: 'refreshToken', value: rt },
    { kind: 'deviceCode', value: device },
  ];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fc-leak-check-'));
    mkdirSync(join(dir, 'logs', '20250101T000000', 'exthost1', 'federated-credentials.federated-credentials'), { recursive: true });
    mkdirSync(join(dir, 'workspace', 'runbooks'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds planted secrets by file and line (text, nested JSON, binary storage) and in captured lines; names the channel logs', () => {
    const channel = join(dir, 'logs', '20250101T000000', 'exthost1', 'federated-credentials.federated-credentials', 'Federated Credentials.log');
    writeFileSync(
      channel,
      [
        '2025-01-01 [info] Signed in (vscode, Custom).',
        '2025-01-01 [info] GET /v1.0/applications → 200 4 ms',
        `2025-01-01 [error] failed: token=${token}`,
      ].join('\n'),
    );
    writeFileSync(join(dir, 'workspace', 'runbooks', 'Get-Token.ps1'), '# clean runbook\n$token = Get-AzAccessToken\n');
    writeFileSync(join(dir, 'telemetry-1.json'), JSON.stringify([{ name: 'command', properties: { nested: { value: `x ${rt.slice(0, 30)}` } } }], null, 2));
    writeFileSync(join(dir, 'state.vscdb'), Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(device, 'latin1'), Buffer.from([0, 255])]));
    const result = checkForLeaks({
      secrets,
      captures: [
        { name: 'runner stdout', lines: ['  ✔ a test', `debug: ${rt}`] },
        { name: 'browser console', lines: ['clean'] },
      ],
      roots: [dir, join(dir, 'missing')],
    });
    assert.equal(result.lines, 3);
    assert.equal(result.files.length, 4);
    assert.deepEqual(result.channelLogs, [channel]);
    assert.deepEqual(
      result.leaks.map((l) => [l.source.replace(dir, '<dir>'), l.line, l.kind, l.form]),
      [
        ['runner stdout', 2, 'refreshToken', 'whole'],
        ['<dir>/logs/20250101T000000/exthost1/federated-credentials.federated-credentials/Federated Credentials.log', 3, 'accessToken', 'whole'],
        ['<dir>/state.vscdb', 1, 'deviceCode', 'whole'],
        ['<dir>/telemetry-1.json', 6, 'refreshToken', 'substring'],
      ],
    );
    assert.equal(result.report.length, 4);
    assertNotShown(result.report.join('\n'), secrets);
  });

  it('passes clean files and lines, and finds no channel log when there is none', () => {
    writeFileSync(join(dir, 'workspace', 'runbooks', 'Get-Token.py'), 'token = credential.get_token(scope)\n');
    const result = checkForLeaks({ secrets, captures: [{ name: 'stdout', lines: ['ok'] }], roots: [dir] });
    assert.deepEqual(result.leaks, []);
    assert.deepEqual(result.channelLogs, []);
    assert.equal(result.files.length, 1);
  });
});
