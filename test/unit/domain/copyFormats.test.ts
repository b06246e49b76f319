import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { bicepString, quoteBash, quotePowerShell, toAzCliCommand, toBicep, toGraphBody, toGraphJson } from '../../../src/domain/copyFormats';
import { CredentialValues } from '../../../src/domain/credentialRules';
import { ValidationError } from '../../../src/domain/validation';

const APP = '11111111-2222-3333-4444-555555555555';
const fic: CredentialValues = {
  name: 'msi-aa-prod',
  issuer: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
  subject: 'a7d388c3-5e3f-4959-ac7d-786b3383006a',
  audiences: ['api://AzureADTokenExchange'],
  description: 'It\'s ${secret} "quoted" \\ and\nnew line',
};

/** Reference reader for a PowerShell single-quoted string literal (the only escape is a doubled quote). */
function readPowerShellLiteral(literal: string): string {
  assert.match(literal, /^'.*'$/s);
  const body = literal.slice(1, -1);
  assert.doesNotMatch(body.replace(/(['\u2018\u2019\u201a\u201b])\1/g, ''), /['\u2018\u2019\u201a\u201b]/, 'an undoubled quote would end the string');
  return body.replace(/(['\u2018\u2019\u201a\u201b])\1/g, '$1');
}

/** Reference reader for a Bicep single-quoted string literal (no interpolation expected). */
function readBicepLiteral(literal: string): string {
  assert.match(literal, /^'.*'$/s);
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "'") assert.fail('unescaped quote ends the string early');
    if (c === '$' && body[i + 1] === '{') assert.fail('unescaped ${ starts an interpolation');
    if (c === '\n' || c === '\r') assert.fail('raw line break in a single-line string');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    if (n === 'n') out += '\n';
    else if (n === 'r') out += '\r';
    else if (n === 't') out += '\t';
    else if (n === '\\' || n === "'" || n === '$') out += n;
    else if (n === 'u') {
      const end = body.indexOf('}', i);
      out += String.fromCodePoint(parseInt(body.slice(i + 2, end), 16));
      i = end;
    } else assert.fail(`unknown escape \\${n}`);
  }
  return out;
}

describe('domain/copyFormats', () => {
  it('writes the Graph POST body in the documented shape', () => {
    assert.deepEqual(JSON.parse(toGraphJson(fic)), {
      name: 'msi-aa-prod',
      issuer: fic.issuer,
      subject: fic.subject,
      description: fic.description,
      audiences: ['api://AzureADTokenExchange'],
    });
    assert.deepEqual(Object.keys(toGraphBody({ ...fic, description: null })), ['name', 'issuer', 'subject', 'audiences']);
  });

  it('writes the bash command', () => {
    const json = JSON.stringify(toGraphBody(fic)).replace(/'/g, "'\\''");
    assert.equal(toAzCliCommand(APP, fic, 'bash'), `az ad app federated-credential create --id '${APP}' --parameters '${json}'`);
  });

  it('bash quoting survives a real shell (property)', function () {
    this.timeout(60000);
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !s.includes('\0') && !/[\uD800-\uDFFF]/.test(s)),
        (value) => {
          const out = execFileSync('bash', ['-c', `printf '%s' ${quoteBash(value)}`], { encoding: 'utf8' });
          assert.equal(out, value);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the bash command passes the exact JSON to az', () => {
    const command = toAzCliCommand(APP, fic, 'bash');
    const args = execFileSync('bash', ['-c', `az() { printf '%s\\0' "$@"; }; ${command}`], { encoding: 'utf8' })
      .split('\0')
      .slice(0, -1);
    assert.deepEqual(args, ['ad', 'app', 'federated-credential', 'create', '--id', APP, '--parameters', JSON.stringify(toGraphBody(fic))]);
  });

  it('writes the PowerShell command through a literal here-string and a file', () => {
    assert.equal(
      toAzCliCommand(APP, fic, 'powershell'),
      [
        '$parameters = New-TemporaryFile',
        "@'",
        toGraphJson(fic),
        "'@ | Set-Content -LiteralPath $parameters -Encoding utf8",
        `az ad app federated-credential create --id '${APP}' --parameters "@$($parameters.FullName)"`,
        'Remove-Item -LiteralPath $parameters',
      ].join('\n'),
    );
  });

  it('no JSON line can close the PowerShell here-string early (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const lines = toAzCliCommand(APP, { ...fic, description: s, subject: s || 'x' }, 'powershell').split('\n');
        const start = lines.indexOf("@'");
        const end = lines.findIndex((l, i) => i > start && l.startsWith("'@"));
        assert.equal(JSON.parse(lines.slice(start + 1, end).join('\n')).description, s);
      }),
    );
  });

  it('PowerShell single quotes round-trip (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => assert.equal(readPowerShellLiteral(quotePowerShell(s)), s)));
    assert.equal(quotePowerShell("it's"), "'it''s'");
    assert.equal(quotePowerShell('it\u2019s'), "'it\u2019\u2019s'");
  });

  it('refuses a non-GUID app id', () => {
    assert.throws(
      () => toAzCliCommand("x'; rm -rf /", fic, 'bash'),
      (e: unknown) =>
        e instanceof ValidationError && e.message === 'App id must be the app\'s application (client) id or object id, a GUID; "x\'; rm -rf /" is not.',
    );
  });

  it('writes the Bicep resource for an app with a uniqueName', () => {
    assert.equal(
      toBicep(fic, { appUniqueName: 'payroll-app' }),
      [
        'extension microsoftGraphV1',
        '',
        "resource app 'Microsoft.Graph/applications@v1.0' existing = {",
        "  uniqueName: 'payroll-app'",
        '}',
        '',
        "resource federatedCredential 'Microsoft.Graph/applications/federatedIdentityCredentials@v1.0' = {",
        "  name: '${app.uniqueName}/msi-aa-prod'",
        '  audiences: [',
        "    'api://AzureADTokenExchange'",
        '  ]',
        "  description: 'It\\'s \\${secret} \"quoted\" \\\\ and\\nnew line'",
        `  issuer: '${fic.issuer}'`,
        `  subject: '${fic.subject}'`,
        '}',
        '',
      ].join('\n'),
    );
  });

  it('declares a parameter when the app has no uniqueName', () => {
    const bicep = toBicep({ ...fic, description: undefined });
    assert.match(bicep, /\nparam appUniqueName string\n/);
    assert.match(bicep, /\n {2}uniqueName: appUniqueName\n/);
    assert.doesNotMatch(bicep, /description: /);
  });

  it('Bicep strings round-trip and never open an interpolation (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => assert.equal(readBicepLiteral(bicepString(s)), s)));
    for (const [raw, escaped] of [
      ["'", "'\\''"],
      ['${x}', "'\\${x}'"],
      ['$x', "'$x'"],
      ['\\', "'\\\\'"],
      ['\u0001', "'\\u{1}'"],
    ])
      assert.equal(bicepString(raw), escaped);
  });
});
