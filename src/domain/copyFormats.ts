// "Copy as…" for a credential: Graph's POST body, an Azure CLI command (bash and PowerShell), and a Bicep
// resource for the Microsoft Graph Bicep extension (msgraph-bicep-types reference
// applications/federatedIdentityCredentials; existing apps are referenced by `uniqueName`, see
// learn.microsoft.com/graph/templates/how-to-reference-existing-resources).

import { CredentialValues } from './credentialRules';
import { IDENTITY_TYPE, identityApiVersion, toIdentityCredentialBody, type UserAssignedIdentityRef } from './identityCredentials';
import { CLAIMS_EXPRESSION_LANGUAGE_VERSION } from './claimsExpression';
import { isGuid, quote } from './text';
import { error, ValidationError } from './validation';

/**
 * The body Graph's `POST /applications/{id}/federatedIdentityCredentials` takes, in its documented key order.
 * A flexible credential (Graph beta) carries `claimsMatchingExpression` and no subject.
 */
export function toGraphBody(values: CredentialValues): Record<string, unknown> {
  const expression = values.claimsMatchingExpression;
  return {
    name: values.name,
    issuer: values.issuer,
    ...(expression
      ? { claimsMatchingExpression: { value: expression.value, languageVersion: expression.languageVersion ?? CLAIMS_EXPRESSION_LANGUAGE_VERSION } }
      : { subject: values.subject }),
    ...(values.description === undefined || values.description === null ? {} : { description: values.description }),
    audiences: [...values.audiences],
  };
}

export function toGraphJson(values: CredentialValues, indent = 2): string {
  return JSON.stringify(toGraphBody(values), null, indent);
}

/** POSIX shell: single quotes keep everything literal; a ' is closed, escaped and reopened. */
export function quoteBash(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** PowerShell: in a single-quoted string only ' is special (and its typographic variants), doubled. */
export function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (c) => c + c)}'`;
}

function requireAppId(appId: string): void {
  if (!isGuid(appId)) {
    throw new ValidationError([
      error('appId', 'appId.notGuid', `App id must be the app's application (client) id or object id, a GUID; ${quote(appId)} is not.`),
    ]);
  }
}

export type Shell = 'bash' | 'powershell';

/**
 * `az ad app federated-credential create --id {appId} --parameters {json}`.
 * bash gets the JSON inline in single quotes. PowerShell gets it through a file: Windows PowerShell, and
 * PowerShell 7 when it calls az.cmd, strip the inner double quotes of an inline JSON argument, so the only form
 * that works in every PowerShell is a literal here-string written to a temporary file.
 */
export function toAzCliCommand(appId: string, values: CredentialValues, shell: Shell, flexible?: FlexibleTarget): string {
  requireAppId(appId);
  if (values.claimsMatchingExpression) return toAzRestCommand(values, shell, flexible);
  if (shell === 'bash') {
    return `az ad app federated-credential create --id ${quoteBash(appId)} --parameters ${quoteBash(JSON.stringify(toGraphBody(values)))}`;
  }
  return powerShellWithJsonFile(
    'parameters',
    toGraphJson(values),
    (file) => `az ad app federated-credential create --id ${quotePowerShell(appId)} --parameters ${file}`,
  );
}

/**
 * PowerShell that writes `json` to a temporary file (`$variable`), passes it to `azCommand` as `"@path"` and
 * removes the file. JSON.stringify escapes every newline, so no line of the body can start with the
 * here-string terminator '@.
 */
function powerShellWithJsonFile(variable: string, json: string, azCommand: (fileArgument: string) => string): string {
  return [
    `$${variable} = New-TemporaryFile`,
    "@'",
    json,
    `'@ | Set-Content -LiteralPath $${variable} -Encoding utf8`,
    azCommand(`"@$($${variable}.FullName)"`),
    `Remove-Item -LiteralPath $${variable}`,
  ].join('\n');
}

/** Where a flexible credential is written: Graph beta under the cloud's Graph root, on the app's object id. */
export interface FlexibleTarget {
  readonly graphUrl: string;
  readonly appObjectId: string;
}

/**
 * `az ad app federated-credential create` writes through Graph v1.0, which has no flexible credentials, so a
 * flexible one is copied as `az rest` against the beta endpoint (the app's object id in the URL).
 */
function toAzRestCommand(values: CredentialValues, shell: Shell, target: FlexibleTarget | undefined): string {
  if (!target || !isGuid(target.appObjectId)) {
    throw new ValidationError([
      error('appId', 'appId.objectId', "A flexible credential is copied as az rest against Graph beta, which needs the app's object id."),
    ]);
  }
  const url = `${target.graphUrl.replace(/\/+$/, '')}/beta/applications/${target.appObjectId}/federatedIdentityCredentials`;
  const note = '# Flexible federated credential (preview): Microsoft Graph beta only; az ad app federated-credential cannot write it.';
  if (shell === 'bash') {
    return `${note}\naz rest --method POST --url ${quoteBash(url)} --headers 'Content-Type=application/json' --body ${quoteBash(JSON.stringify(toGraphBody(values)))}`;
  }
  const command = powerShellWithJsonFile(
    'body',
    toGraphJson(values),
    (file) => `az rest --method POST --url ${quotePowerShell(url)} --headers 'Content-Type=application/json' --body ${file}`,
  );
  return `${note}\n${command}`;
}

/** A Bicep single-quoted string: escapes \, ', ${ and control characters. */
export function bicepString(value: string): string {
  return `'${bicepEscape(value)}'`;
}

function bicepEscape(value: string): string {
  let out = '';
  const chars = Array.from(value);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\\') out += '\\\\';
    else if (c === "'") out += "\\'";
    else if (c === '$' && chars[i + 1] === '{') out += '\\$';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c.charCodeAt(0) < 0x20 || c === '\u007f' || c === '\u2028' || c === '\u2029') out += `\\u{${c.codePointAt(0)?.toString(16)}}`;
    else out += c;
  }
  return out;
}

/** A credential's `subject`, or a flexible one's `claimsMatchingExpression` block, as Bicep lines at `indent`. */
function bicepSubjectLines(values: CredentialValues, indent: string): string[] {
  const expression = values.claimsMatchingExpression;
  if (!expression) return [`${indent}subject: ${bicepString(values.subject)}`];
  return [
    `${indent}claimsMatchingExpression: {`,
    `${indent}  value: ${bicepString(expression.value)}`,
    `${indent}  languageVersion: ${expression.languageVersion ?? CLAIMS_EXPRESSION_LANGUAGE_VERSION}`,
    `${indent}}`,
  ];
}

export interface BicepOptions {
  /** The app's `uniqueName`; when unknown the file declares a parameter for it. */
  readonly appUniqueName?: string | null;
  /** Symbolic name of the credential resource. */
  readonly symbolicName?: string;
}

/**
 * A Bicep file that declares the credential on an existing app. Needs `microsoftGraphV1` (a flexible
 * credential: `microsoftGraphBeta`) declared in bicepconfig.json (the extension's registry reference).
 */
export function toBicep(values: CredentialValues, options: BicepOptions = {}): string {
  const symbol = options.symbolicName && /^[A-Za-z_][A-Za-z0-9_]*$/.test(options.symbolicName) ? options.symbolicName : 'federatedCredential';
  const unique = options.appUniqueName;
  // A flexible credential exists only in Graph beta: the beta Bicep extension and resource versions.
  const expression = values.claimsMatchingExpression;
  const version = expression ? 'beta' : 'v1.0';
  const lines = [
    expression ? 'extension microsoftGraphBeta' : 'extension microsoftGraphV1',
    '',
    ...(unique
      ? []
      : [
          '@description(\'uniqueName of the app. Apps created outside Bicep have none until it is set once (PATCH the application with {"uniqueName": "…"}).\')',
          'param appUniqueName string',
          '',
        ]),
    `resource app 'Microsoft.Graph/applications@${version}' existing = {`,
    `  uniqueName: ${unique ? bicepString(unique) : 'appUniqueName'}`,
    '}',
    '',
    `resource ${symbol} 'Microsoft.Graph/applications/federatedIdentityCredentials@${version}' = {`,
    `  name: '\${app.uniqueName}/${bicepEscape(values.name)}'`,
    '  audiences: [',
    ...values.audiences.map((a) => `    ${bicepString(a)}`),
    '  ]',
    ...(values.description === undefined || values.description === null ? [] : [`  description: ${bicepString(values.description)}`]),
    `  issuer: ${bicepString(values.issuer)}`,
    ...bicepSubjectLines(values, '  '),
    '}',
    '',
  ];
  return lines.join('\n');
}

// --- Credentials of a user-assigned managed identity (Azure Resource Manager) -----------------------------------

/** The identity's ARM request body for the credential, as JSON. */
export function toIdentityCredentialJson(values: CredentialValues, indent = 2): string {
  return JSON.stringify(toIdentityCredentialBody(values), null, indent);
}

/**
 * `az identity federated-credential create`. A flexible credential exists only in the ARM preview, which that
 * command does not write: it is copied as `az rest --method PUT` against the preview api-version instead.
 */
export function toAzIdentityCommand(identity: UserAssignedIdentityRef, values: CredentialValues, shell: Shell, armUrl: string): string {
  const q = shell === 'bash' ? quoteBash : quotePowerShell;
  if (values.claimsMatchingExpression) {
    const url = `${armUrl.replace(/\/+$/, '')}${identity.id}/federatedIdentityCredentials/${encodeURIComponent(values.name)}?api-version=${identityApiVersion(values)}`;
    const note = `# Flexible federated credential (preview): ARM api-version ${identityApiVersion(values)} only; az identity federated-credential cannot write it.`;
    const put = (body: string) => `az rest --method PUT --url ${q(url)} --headers 'Content-Type=application/json' --body ${body}`;
    return shell === 'bash'
      ? `${note}\n${put(quoteBash(JSON.stringify(toIdentityCredentialBody(values))))}`
      : `${note}\n${powerShellWithJsonFile('body', toIdentityCredentialJson(values), put)}`;
  }
  const continuation = shell === 'bash' ? ' \\' : ' `';
  return [
    `az identity federated-credential create${continuation}`,
    `  --name ${q(values.name)}${continuation}`,
    `  --identity-name ${q(identity.name)}${continuation}`,
    `  --resource-group ${q(identity.resourceGroup)}${continuation}`,
    `  --subscription ${q(identity.subscriptionId)}${continuation}`,
    `  --issuer ${q(values.issuer)}${continuation}`,
    `  --subject ${q(values.subject)}${continuation}`,
    `  --audiences ${values.audiences.map(q).join(' ')}`,
  ].join('\n');
}

/** A Bicep file, deployed to the identity's resource group, that declares the credential on the existing identity. */
export function toIdentityBicep(identity: UserAssignedIdentityRef, values: CredentialValues): string {
  const version = identityApiVersion(values);
  return [
    `// az deployment group create --resource-group ${identity.resourceGroup} --subscription ${identity.subscriptionId} --template-file <this file>`,
    `resource identity '${IDENTITY_TYPE}@${version}' existing = {`,
    `  name: ${bicepString(identity.name)}`,
    '}',
    '',
    `resource federatedCredential '${IDENTITY_TYPE}/federatedIdentityCredentials@${version}' = {`,
    '  parent: identity',
    `  name: ${bicepString(values.name)}`,
    '  properties: {',
    `    issuer: ${bicepString(values.issuer)}`,
    ...bicepSubjectLines(values, '    '),
    '    audiences: [',
    ...values.audiences.map((a) => `      ${bicepString(a)}`),
    '    ]',
    '  }',
    '}',
    '',
  ].join('\n');
}
