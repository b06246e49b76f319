import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  appCredentialsPortalUrl,
  appRegistrationPortalUrl,
  armDefaultScope,
  AZURE_CHINA_CLOUD,
  AZURE_CLOUD,
  AZURE_US_GOVERNMENT,
  azureResourcePortalUrl,
  checkCustomCloud,
  classifyIssuer,
  Cloud,
  enterpriseAppPortalUrl,
  entraIssuer,
  graphApiBase,
  graphDefaultScope,
  resolveCloud,
} from '../../../src/domain/clouds';
import { ValidationError } from '../../../src/domain/validation';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP = '11111111-2222-3333-4444-555555555555';
const SP = '99999999-8888-7777-6666-555555555555';
const RUNBOOK =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ops/providers/Microsoft.Automation/automationAccounts/aa-prod/runbooks/Sync-Users';

const EMULATOR = {
  loginUrl: 'http://127.0.0.1:4567/login/',
  graphUrl: 'http://127.0.0.1:4567/graph',
  armUrl: 'http://localhost:4567/arm//',
  tokenExchangeAudience: 'api://SandboxTokenExchange',
  portalUrl: 'https://portal.sandbox.test/',
};
const custom = resolveCloud('Custom', EMULATOR);

interface CloudRow {
  cloud: Cloud;
  login: string;
  graphBase: string;
  graphScope: string;
  armScope: string;
  audience: string;
  provider: string;
  issuer: string;
  appPortal: string | undefined;
  runbookPortal: string | undefined;
}

const rows: CloudRow[] = [
  {
    cloud: AZURE_CLOUD,
    login: 'https://login.microsoftonline.com',
    graphBase: 'https://graph.microsoft.com/v1.0',
    graphScope: 'https://graph.microsoft.com/.default',
    armScope: 'https://management.azure.com/.default',
    audience: 'api://AzureADTokenExchange',
    provider: 'microsoft',
    issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    appPortal: `https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/${APP}`,
    runbookPortal: `https://portal.azure.com/#@${TENANT}/resource${RUNBOOK}/overview`,
  },
  {
    cloud: AZURE_US_GOVERNMENT,
    login: 'https://login.microsoftonline.us',
    graphBase: 'https://graph.microsoft.us/v1.0',
    graphScope: 'https://graph.microsoft.us/.default',
    armScope: 'https://management.usgovcloudapi.net/.default',
    audience: 'api://AzureADTokenExchangeUSGov',
    provider: 'microsoft-sovereign-cloud',
    issuer: `https://login.microsoftonline.us/${TENANT}/v2.0`,
    appPortal: `https://entra.microsoft.us/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/${APP}`,
    runbookPortal: `https://portal.azure.us/#@${TENANT}/resource${RUNBOOK}/overview`,
  },
  {
    cloud: AZURE_CHINA_CLOUD,
    login: 'https://login.chinacloudapi.cn',
    graphBase: 'https://microsoftgraph.chinacloudapi.cn/v1.0',
    graphScope: 'https://microsoftgraph.chinacloudapi.cn/.default',
    armScope: 'https://management.chinacloudapi.cn/.default',
    audience: 'api://AzureADTokenExchangeChina',
    provider: 'microsoft-sovereign-cloud',
    issuer: `https://login.chinacloudapi.cn/${TENANT}/v2.0`,
    appPortal: `https://portal.azure.cn/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/${APP}`,
    runbookPortal: `https://portal.azure.cn/#@${TENANT}/resource${RUNBOOK}/overview`,
  },
  {
    cloud: custom,
    login: 'http://127.0.0.1:4567/login',
    graphBase: 'http://127.0.0.1:4567/graph/v1.0',
    graphScope: 'http://127.0.0.1:4567/graph/.default',
    armScope: 'http://localhost:4567/arm/.default',
    audience: 'api://SandboxTokenExchange',
    provider: 'microsoft-sovereign-cloud',
    issuer: `http://127.0.0.1:4567/login/${TENANT}/v2.0`,
    appPortal: `https://portal.sandbox.test/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/${APP}`,
    runbookPortal: `https://portal.sandbox.test/#@${TENANT}/resource${RUNBOOK}/overview`,
  },
];

describe('domain/clouds', () => {
  for (const row of rows) {
    describe(row.cloud.name, () => {
      it('derives every endpoint from the cloud', () => {
        assert.equal(row.cloud.loginUrl, row.login);
        assert.equal(graphApiBase(row.cloud), row.graphBase);
        assert.equal(graphApiBase(row.cloud, 'beta'), row.graphBase.replace(/v1\.0$/, 'beta'));
        assert.equal(graphDefaultScope(row.cloud), row.graphScope);
        assert.equal(armDefaultScope(row.cloud), row.armScope);
        assert.equal(row.cloud.tokenExchangeAudience, row.audience);
        assert.equal(row.cloud.authProviderId, row.provider);
      });
      it('builds the Entra issuer for a tenant and lower-cases the tenant id', () => {
        assert.equal(entraIssuer(row.cloud, TENANT), row.issuer);
        assert.equal(entraIssuer(row.cloud, TENANT.toUpperCase()), row.issuer);
      });
      it('classifies its own issuer as Entra of this cloud and tenant', () => {
        assert.deepEqual(classifyIssuer(row.issuer, [AZURE_CLOUD, AZURE_US_GOVERNMENT, AZURE_CHINA_CLOUD, custom]), {
          kind: 'entra',
          cloud: row.cloud.name,
          tenantId: TENANT,
          version: 'v2.0',
          canonical: true,
        });
      });
      it('builds portal deep links', () => {
        assert.equal(appRegistrationPortalUrl(row.cloud, APP), row.appPortal);
        assert.equal(appCredentialsPortalUrl(row.cloud, APP), row.appPortal?.replace('/~/Overview/', '/~/Credentials/'));
        assert.equal(
          enterpriseAppPortalUrl(row.cloud, SP, APP),
          row.appPortal?.replace(/#view\/.*$/, `#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Overview/objectId/${SP}/appId/${APP}`),
        );
        assert.equal(azureResourcePortalUrl(row.cloud, TENANT, RUNBOOK), row.runbookPortal);
      });
    });
  }

  it('has no portal links for a custom cloud without a portal URL', () => {
    const bare = resolveCloud('Custom', { ...EMULATOR, portalUrl: undefined });
    assert.equal(appRegistrationPortalUrl(bare, APP), undefined);
    assert.equal(azureResourcePortalUrl(bare, TENANT, RUNBOOK), undefined);
  });

  it('encodes hostile resource names inside their path segment', () => {
    const id = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/a#b?c=d&e f';
    assert.equal(
      azureResourcePortalUrl(AZURE_CLOUD, TENANT, id),
      `https://portal.azure.com/#@${TENANT}/resource/subscriptions/s/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/a%23b%3Fc%3Dd%26e%20f/overview`,
    );
  });

  const badLinkInput: [string, () => unknown, string][] = [
    ['app id not a GUID', () => appRegistrationPortalUrl(AZURE_CLOUD, "x' or 1=1"), 'appId must be a GUID; "x\' or 1=1" is not.'],
    ['credentials blade with a spaced id', () => appCredentialsPortalUrl(AZURE_CLOUD, ` ${APP}`), `appId must be a GUID; " ${APP}" is not.`],
    ['service principal id', () => enterpriseAppPortalUrl(AZURE_CLOUD, 'sp', APP), 'servicePrincipalId must be a GUID; "sp" is not.'],
    ['tenant id', () => azureResourcePortalUrl(AZURE_CLOUD, 'contoso.com', RUNBOOK), 'tenantId must be a GUID; "contoso.com" is not.'],
    [
      'resource id',
      () => azureResourcePortalUrl(AZURE_CLOUD, TENANT, 'subscriptions//x'),
      'resourceId must be an Azure resource id (/subscriptions/…); "subscriptions//x" is not.',
    ],
    ['issuer tenant', () => entraIssuer(AZURE_CLOUD, 'contoso.com'), 'The issuer needs the tenant id (a GUID); "contoso.com" is not one.'],
  ];
  for (const [what, call, message] of badLinkInput) {
    it(`refuses a bad ${what}`, () => assert.throws(call, (e: unknown) => e instanceof ValidationError && e.message === message));
  }

  describe('resolveCloud and the custom cloud setting', () => {
    it('resolves the built-in names', () => {
      assert.equal(resolveCloud('AzureCloud'), AZURE_CLOUD);
      assert.equal(resolveCloud('AzureUSGovernment'), AZURE_US_GOVERNMENT);
      assert.equal(resolveCloud('AzureChinaCloud'), AZURE_CHINA_CLOUD);
    });
    it('refuses an unknown cloud name', () => {
      assert.throws(
        () => resolveCloud('AzureGermanCloud'),
        /^ValidationError: Cloud must be one of AzureCloud, AzureUSGovernment, AzureChinaCloud, Custom; "AzureGermanCloud" is not\.$/,
      );
    });
    it('normalises trailing slashes', () => {
      assert.equal(custom.loginUrl, 'http://127.0.0.1:4567/login');
      assert.equal(custom.armUrl, 'http://localhost:4567/arm');
      assert.equal(custom.portalUrl, 'https://portal.sandbox.test');
    });

    const valid = { loginUrl: 'https://login.example', graphUrl: 'https://graph.example', armUrl: 'https://arm.example', tokenExchangeAudience: 'api://X' };
    const cases: [string, Record<string, unknown>, string[]][] = [
      [
        'nothing set',
        {},
        [
          'Custom cloud loginUrl is required (an https URL).',
          'Custom cloud graphUrl is required (an https URL).',
          'Custom cloud armUrl is required (an https URL).',
          'Custom cloud tokenExchangeAudience is required, e.g. "api://AzureADTokenExchange".',
        ],
      ],
      [
        'http on a public host',
        { loginUrl: 'http://login.example' },
        ['Custom cloud loginUrl must use https (http is allowed only for localhost); "http://login.example" uses http.'],
      ],
      ['a query', { graphUrl: 'https://graph.example/?x=1' }, ['Custom cloud graphUrl must not contain a query (?…); "https://graph.example/?x=1" does.']],
      ['a fragment', { armUrl: 'https://arm.example/#frag' }, ['Custom cloud armUrl must not contain a fragment (#…); "https://arm.example/#frag" does.']],
      ['an empty query marker', { armUrl: 'https://arm.example/?' }, ['Custom cloud armUrl must not contain a query (?…); "https://arm.example/?" does.']],
      ['credentials', { loginUrl: 'https://user:pw@login.example' }, ['Custom cloud loginUrl must not contain a user name or password.']],
      ['not a URL', { loginUrl: 'login.example' }, ['Custom cloud loginUrl must be an absolute https URL; "login.example" is not.']],
      ['another scheme', { loginUrl: 'ftp://login.example' }, ['Custom cloud loginUrl must be an absolute https URL; "ftp://login.example" is not.']],
      ['javascript URL', { portalUrl: 'javascript:alert(1)' }, ['Custom cloud portalUrl must be an absolute https URL; "javascript:alert(1)" is not.']],
      [
        'surrounding whitespace',
        { graphUrl: ' https://graph.example' },
        ['Custom cloud graphUrl must not start or end with whitespace: " https://graph.example".'],
      ],
      ['a non-string', { armUrl: 42 }, ['Custom cloud armUrl is required (an https URL).']],
      ['an audience with a space', { tokenExchangeAudience: 'api://a b' }, ['Custom cloud tokenExchangeAudience must not contain whitespace: "api://a b".']],
      [
        'a long audience',
        { tokenExchangeAudience: `api://${'a'.repeat(600)}` },
        ['Custom cloud tokenExchangeAudience must be at most 600 characters; it has 606.'],
      ],
    ];
    for (const [what, override, messages] of cases) {
      it(`refuses ${what}`, () => {
        const { cloud, result } = checkCustomCloud(what === 'nothing set' ? {} : { ...valid, ...override });
        assert.equal(cloud, undefined);
        assert.deepEqual(
          result.errors.map((e) => e.message),
          messages,
        );
      });
    }
    it('throws all custom-cloud errors from resolveCloud', () => {
      assert.throws(() => resolveCloud('Custom', { ...valid, loginUrl: 'http://evil.example' }), ValidationError);
    });
    it('accepts https anywhere and http on loopback hosts', () => {
      for (const loginUrl of ['https://login.example', 'http://localhost:1', 'http://127.0.0.1', 'http://[::1]:8080/x/']) {
        assert.equal(checkCustomCloud({ ...valid, loginUrl }).result.ok, true, loginUrl);
      }
    });
  });

  describe('classifyIssuer', () => {
    const cases: [string, ReturnType<typeof classifyIssuer>][] = [
      [
        `https://login.partner.microsoftonline.cn/${TENANT}/v2.0`,
        { kind: 'entra', cloud: 'AzureChinaCloud', tenantId: TENANT, version: 'v2.0', canonical: false },
      ],
      [`https://LOGIN.microsoftonline.com/${TENANT}/v2.0`, { kind: 'entra', cloud: 'AzureCloud', tenantId: TENANT, version: 'v2.0', canonical: false }],
      [`https://login.microsoftonline.com/${TENANT}/v2.0/`, { kind: 'entra', cloud: 'AzureCloud', tenantId: TENANT, version: 'v2.0', canonical: false }],
      [
        `https://login.microsoftonline.com/${TENANT.toUpperCase()}/v2.0`,
        { kind: 'entra', cloud: 'AzureCloud', tenantId: TENANT, version: 'v2.0', canonical: false },
      ],
      [`https://sts.windows.net/${TENANT}/`, { kind: 'entra', cloud: 'AzureCloud', tenantId: TENANT, version: 'v1.0', canonical: false }],
      ['https://login.microsoftonline.com/contoso.com/v2.0', { kind: 'other' }],
      ['https://login.microsoftonline.com/common/v2.0', { kind: 'other' }],
      [`http://login.microsoftonline.com/${TENANT}/v2.0`, { kind: 'other' }],
      [`https://login.microsoftonline.com/${TENANT}/v2.0?x=1`, { kind: 'other' }],
      [`https://login.microsoftonline.com.evil.example/${TENANT}/v2.0`, { kind: 'other' }],
      [`https://evil.example/login.microsoftonline.com/${TENANT}/v2.0`, { kind: 'other' }],
      ['https://token.actions.githubusercontent.com', { kind: 'other' }],
      ['not a url', { kind: 'other' }],
      ['', { kind: 'other' }],
    ];
    for (const [issuer, expected] of cases) {
      it(`classifies ${JSON.stringify(issuer)}`, () => assert.deepEqual(classifyIssuer(issuer), expected));
    }
    it('does not know the custom cloud unless told', () => {
      assert.deepEqual(classifyIssuer(entraIssuer(custom, TENANT)), { kind: 'other' });
    });
    it('round-trips any tenant on any cloud (property)', () => {
      const clouds = [AZURE_CLOUD, AZURE_US_GOVERNMENT, AZURE_CHINA_CLOUD, custom];
      fc.assert(
        fc.property(fc.uuid(), fc.constantFrom(...clouds), (tenant, cloud) => {
          const seen = classifyIssuer(entraIssuer(cloud, tenant), clouds);
          assert.deepEqual(seen, { kind: 'entra', cloud: cloud.name, tenantId: tenant.toLowerCase(), version: 'v2.0', canonical: true });
        }),
      );
    });
    it('never classifies an issuer on another host as Entra (property)', () => {
      fc.assert(
        fc.property(fc.domain(), fc.uuid(), (host, tenant) => {
          fc.pre(
            ![
              'login.microsoftonline.com',
              'login.microsoftonline.us',
              'login.chinacloudapi.cn',
              'login.partner.microsoftonline.cn',
              'sts.windows.net',
            ].includes(host.toLowerCase()),
          );
          assert.deepEqual(classifyIssuer(`https://${host}/${tenant}/v2.0`), { kind: 'other' });
        }),
      );
    });
  });
});
