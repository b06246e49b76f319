// The two PowerShell 7.x runbook bodies. They receive every value as a finished source literal
// (see `Literals`), so the same code renders a file (escaped values) and a snippet (placeholders).
// Token flow: the managed-identity endpoint (IDENTITY_ENDPOINT, api-version 2019-08-01) and the client-credentials grant with a client assertion (Microsoft identity platform docs); TokenMagician: svrooij/TokenMagician GetMsiToken.cs
// (-TenantId -ClientId -Scope -MsiScope -UserAssignedIdentity; it returns the token as a string).

/** Source literals for the values a runbook embeds. Each entry is already valid code. */
export interface Literals {
  readonly appClientId: string;
  readonly appDisplayName: string;
  readonly targetTenants: readonly string[];
  readonly scope: string;
  readonly tokenExchangeAudience: string;
  readonly loginUrl: string;
  readonly graphUrl: string;
  /** Empty string literal for the system-assigned identity. */
  readonly managedIdentityClientId: string;
}

/** How Connect-MgGraph reaches this cloud: a built-in environment name, or one to register. */
export interface MgGraphCloud {
  /** Literal for `$MgEnvironment`: `''` means Connect-MgGraph's default (Global). */
  readonly environment: string;
  /** Register `$MgEnvironment` with Add-MgEnvironment first (clouds Connect-MgGraph does not know). */
  readonly register: boolean;
  /** Set AZURE_AUTHORITY_HOST so Azure.Identity inside TokenMagician signs in at this cloud's login URL. */
  readonly setAuthorityHost: boolean;
}

function valueLines(l: Literals, comment: string): string[] {
  return [
    `# --- ${comment} ---`,
    `$AppClientId = ${l.appClientId}`,
    `$AppDisplayName = ${l.appDisplayName}`,
    '$TargetTenants = @(',
    ...l.targetTenants.map((t) => `    ${t}`),
    ')',
    `$Scope = ${l.scope}`,
    `$TokenExchangeAudience = ${l.tokenExchangeAudience}`,
    `$LoginUrl = ${l.loginUrl}`,
    `$GraphUrl = ${l.graphUrl}`,
    '# Client id of the user-assigned managed identity; empty for the system-assigned identity.',
    `$ManagedIdentityClientId = ${l.managedIdentityClientId}`,
  ];
}

/** Get-ErrorSummary: the AADSTS code and first line of the description from an error record. */
const ERROR_SUMMARY = [
  'function Get-ErrorSummary {',
  '    param($ErrorRecord)',
  '    # Entra puts the reason in the response body (error_description starts with the AADSTS code);',
  '    # Microsoft Graph sends { error: { code, message } }. Neither ever contains a token.',
  '    $message = [string]$ErrorRecord.Exception.Message',
  "    $code = ''",
  '    if ($ErrorRecord.ErrorDetails -and $ErrorRecord.ErrorDetails.Message) {',
  '        $message = [string]$ErrorRecord.ErrorDetails.Message',
  '        try {',
  '            $body = $message | ConvertFrom-Json',
  '            if ($body.error_description) {',
  '                $message = [string]$body.error_description',
  '            }',
  '            elseif ($body.error -and $body.error.message) {',
  '                $code = [string]$body.error.code',
  '                $message = [string]$body.error.message',
  '            }',
  '        }',
  '        catch {',
  '            # Not JSON: keep the raw text.',
  '        }',
  '    }',
  "    if ($message -match 'AADSTS[0-9]+') {",
  '        $code = $Matches[0]',
  '    }',
  "    elseif (-not $code -and $message -match 'Authorization_RequestDenied') {",
  "        $code = 'Authorization_RequestDenied'",
  '    }',
  "    $firstLine = ($message -split '\\r?\\n')[0]",
  '    $hint = $ErrorHints[$code]',
  '    return [pscustomobject]@{ Code = $code; Message = $firstLine; Hint = $hint }',
  '}',
];

const ERROR_HINTS = [
  '# What the common failures mean.',
  '$ErrorHints = @{',
  "    'AADSTS700016' = 'The app is not in this tenant yet: an admin of the tenant has to consent to it.'",
  "    'AADSTS7000229' = 'The app has no service principal in this tenant: an admin of the tenant has to consent to it.'",
  "    'AADSTS650052' = 'The app needs access to an API the tenant has not consented to: ask its admin to consent again.'",
  "    'AADSTS90002' = 'Tenant not found: check the tenant id or domain.'",
  "    'AADSTS70021' = 'No federated credential matches the managed identity token: check issuer, subject and audience (changes take a few minutes).'",
  "    'AADSTS700213' = 'No federated credential matches the subject: it must be the managed identity object id (case-sensitive).'",
  "    'AADSTS700211' = 'No federated credential matches the issuer of the managed identity token.'",
  "    'Authorization_RequestDenied' = 'Signed in, but the app lacks the Microsoft Graph application permission (User.Read.All) in this tenant.'",
  '}',
];

const REPORT = [
  '',
  "Write-Output ''",
  "Write-Output 'Summary:'",
  'foreach ($result in $Results) {',
  "    Write-Output ('  ' + $result.Status.PadRight(6) + ' ' + $result.Tenant + '  ' + $result.Detail)",
  '}',
  "$failed = @($Results | Where-Object { $_.Status -ne 'OK' }).Count",
  'if ($failed -eq $Results.Count) {',
  "    throw ('Every target tenant failed (' + $failed + ' of ' + $Results.Count + '); see above.')",
  '}',
  'elseif ($failed -gt 0) {',
  "    Write-Warning ([string]$failed + ' of ' + $Results.Count + ' target tenant(s) failed; see above.')",
  '}',
];

/** The end of a tenant's try: its failure reported, then `cleanup` (a finally) whatever happened. */
function tenantFailed(cleanup: readonly string[] = []): string[] {
  return [
    '    catch {',
    '        $summary = Get-ErrorSummary $_',
    '        $detail = $summary.Message',
    '        if ($summary.Code -and -not $summary.Message.Contains($summary.Code)) {',
    "            $detail = $summary.Code + ': ' + $summary.Message",
    '        }',
    "        Write-Output ('[FAILED] ' + $tenant + ': ' + $detail)",
    '        if ($summary.Hint) {',
    "            Write-Output ('         ' + $summary.Hint)",
    '        }',
    "        $Results.Add([pscustomobject]@{ Tenant = $tenant; Status = 'FAILED'; Detail = $detail })",
    '    }',
    ...(cleanup.length > 0 ? ['    finally {', ...cleanup, '    }'] : []),
    '}',
  ];
}

const INTRO = [
  '$label = $AppClientId',
  'if ($AppDisplayName) {',
  "    $label = $AppDisplayName + ' (' + $AppClientId + ')'",
  '}',
  "Write-Output ('App ' + $label + ': ' + $TargetTenants.Count + ' target tenant(s), scope ' + $Scope)",
  '$Results = [System.Collections.Generic.List[object]]::new()',
];

/**
 * Automation gives a cloud job IDENTITY_ENDPOINT and IDENTITY_HEADER; a Hybrid Runbook Worker (or a
 * local run) has neither, and the managed-identity flow cannot work there: say so in plain words.
 */
const NO_MANAGED_IDENTITY_ENDPOINT = [
  'if (-not $env:IDENTITY_ENDPOINT -or -not $env:IDENTITY_HEADER) {',
  "    throw 'IDENTITY_ENDPOINT and IDENTITY_HEADER are not set: the token comes from the Automation account''s managed identity, which only a cloud job has. Start the runbook in Azure, not on a Hybrid Runbook Worker, with the identity enabled on the account.'",
  '}',
];

const indent = (lines: readonly string[]) => lines.map((line) => `    ${line}`);

/** PowerShell 7.x with Invoke-RestMethod only. */
export function powerShellRestBody(l: Literals, valuesComment: string): string[] {
  return [
    "$ErrorActionPreference = 'Stop'",
    '',
    ...valueLines(l, valuesComment),
    '',
    ...ERROR_HINTS,
    '',
    'function Get-ManagedIdentityAssertion {',
    '    # A managed identity token for the token-exchange audience: the client assertion below.',
    ...indent(NO_MANAGED_IDENTITY_ENDPOINT),
    "    $query = 'api-version=2019-08-01&resource=' + [uri]::EscapeDataString($TokenExchangeAudience)",
    '    if ($ManagedIdentityClientId) {',
    "        $query += '&client_id=' + [uri]::EscapeDataString($ManagedIdentityClientId)",
    '    }',
    "    $separator = '?'",
    "    if ($env:IDENTITY_ENDPOINT.Contains('?')) {",
    "        $separator = '&'",
    '    }',
    "    $headers = @{ 'X-IDENTITY-HEADER' = $env:IDENTITY_HEADER; 'Metadata' = 'true' }",
    '    $response = Invoke-RestMethod -Method Get -Uri ($env:IDENTITY_ENDPOINT + $separator + $query) -Headers $headers',
    '    return [string]$response.access_token',
    '}',
    '',
    'function Get-AppToken {',
    '    param([string] $Tenant, [string] $Assertion)',
    '    # Client credentials at the target tenant, with the managed identity token as client assertion.',
    '    $body = @{',
    '        client_id             = $AppClientId',
    '        scope                 = $Scope',
    "        grant_type            = 'client_credentials'",
    "        client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'",
    '        client_assertion      = $Assertion',
    '    }',
    "    $uri = $LoginUrl + '/' + [uri]::EscapeDataString($Tenant) + '/oauth2/v2.0/token'",
    "    $response = Invoke-RestMethod -Method Post -Uri $uri -ContentType 'application/x-www-form-urlencoded' -Body $body",
    '    return [string]$response.access_token',
    '}',
    '',
    ...ERROR_SUMMARY,
    '',
    ...INTRO,
    'try {',
    '    $assertion = Get-ManagedIdentityAssertion',
    '}',
    'catch {',
    '    $summary = Get-ErrorSummary $_',
    "    throw ('No managed identity token for ' + $TokenExchangeAudience + ', so no tenant can be reached: ' + $summary.Message)",
    '}',
    '',
    'foreach ($tenant in $TargetTenants) {',
    '    try {',
    '        $accessToken = Get-AppToken -Tenant $tenant -Assertion $assertion',
    '        # A harmless example call: the first two users of the tenant.',
    "        $usersUri = $GraphUrl + '/v1.0/users?$top=2&$select=displayName,userPrincipalName'",
    "        $users = Invoke-RestMethod -Method Get -Uri $usersUri -Headers @{ Authorization = 'Bearer ' + $accessToken }",
    '        $accessToken = $null',
    "        Write-Output ('[OK]     ' + $tenant + ': token for ' + $Scope + '; first users:')",
    '        foreach ($user in $users.value) {',
    "            Write-Output ('         ' + $user.displayName + ' <' + $user.userPrincipalName + '>')",
    '        }',
    "        $Results.Add([pscustomobject]@{ Tenant = $tenant; Status = 'OK'; Detail = ([string]@($users.value).Count + ' user(s) read') })",
    '    }',
    ...tenantFailed(),
    ...REPORT,
  ];
}

/** PowerShell 7.x with TokenMagician and the Microsoft Graph PowerShell SDK. */
export function tokenMagicianBody(l: Literals, valuesComment: string, cloud: MgGraphCloud): string[] {
  return [
    "$ErrorActionPreference = 'Stop'",
    '',
    ...valueLines(l, valuesComment),
    "# Connect-MgGraph's environment for this cloud; empty for the global cloud.",
    `$MgEnvironment = ${cloud.environment}`,
    '',
    'Import-Module TokenMagician',
    'Import-Module Microsoft.Graph.Authentication',
    'Import-Module Microsoft.Graph.Users',
    ...(cloud.setAuthorityHost
      ? ['', '# Azure.Identity, used inside TokenMagician, reads the sign-in authority from this variable.', '$env:AZURE_AUTHORITY_HOST = $LoginUrl']
      : []),
    ...(cloud.register
      ? [
          '',
          '# Connect-MgGraph has no built-in environment for this cloud: register it for this job.',
          'Add-MgEnvironment -Name $MgEnvironment -AzureADEndpoint $LoginUrl -GraphEndpoint $GraphUrl | Out-Null',
        ]
      : []),
    '',
    ...ERROR_HINTS,
    '',
    ...ERROR_SUMMARY,
    '',
    ...NO_MANAGED_IDENTITY_ENDPOINT,
    '',
    ...INTRO,
    '',
    'foreach ($tenant in $TargetTenants) {',
    '    $connected = $false',
    '    try {',
    '        # Get-TmMsiToken gets the managed identity token for the exchange audience (-MsiScope) and',
    '        # trades it at the target tenant for an app token for -Scope.',
    '        $tokenParameters = @{',
    '            TenantId = $tenant',
    '            ClientId = $AppClientId',
    '            Scope    = $Scope',
    "            MsiScope = $TokenExchangeAudience + '/.default'",
    '        }',
    '        if ($ManagedIdentityClientId) {',
    "            $tokenParameters['UserAssignedIdentity'] = $ManagedIdentityClientId",
    '        }',
    '        $token = Get-TmMsiToken @tokenParameters',
    '        # Connect-MgGraph takes the token as a SecureString.',
    '        $secureToken = ConvertTo-SecureString -String $token -AsPlainText -Force',
    '        $token = $null',
    '        $connectParameters = @{ AccessToken = $secureToken; NoWelcome = $true }',
    '        if ($MgEnvironment) {',
    "            $connectParameters['Environment'] = $MgEnvironment",
    '        }',
    '        Connect-MgGraph @connectParameters',
    '        $connected = $true',
    '        # A harmless example call: the first two users of the tenant.',
    "        $users = @(Get-MgUser -Top 2 -Property 'displayName', 'userPrincipalName')",
    "        Write-Output ('[OK]     ' + $tenant + ': token for ' + $Scope + '; first users:')",
    '        foreach ($user in $users) {',
    "            Write-Output ('         ' + $user.DisplayName + ' <' + $user.UserPrincipalName + '>')",
    '        }',
    "        $Results.Add([pscustomobject]@{ Tenant = $tenant; Status = 'OK'; Detail = ([string]$users.Count + ' user(s) read') })",
    '    }',
    // Each tenant's Graph connection ends with it, also when a call failed: the next tenant never runs on it.
    ...tenantFailed(['        if ($connected) {', '            Disconnect-MgGraph | Out-Null', '        }']),
    ...REPORT,
  ];
}
