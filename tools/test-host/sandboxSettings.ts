// The VS Code user settings that point the extension at the sandbox: the Custom cloud, the sandbox
// sign-in provider, and Node's own networking so the sandbox CA (NODE_EXTRA_CA_CERTS) is trusted.
// Used by the test runner and by `npm start`.
import type { SandboxInfo } from '../../sandbox';

export function sandboxUserSettings(info: Pick<SandboxInfo, 'customCloud'>): Record<string, unknown> {
  return {
    'federatedCredentials.cloud': 'Custom',
    'federatedCredentials.customCloud': info.customCloud,
    'federatedCredentials.authentication.providerId': 'fc-sandbox',
    // VS Code patches fetch and Node's https module (proxy support, system certificates) with its own
    // CA list, which leaves out NODE_EXTRA_CA_CERTS; unpatched, Node trusts the sandbox CA through it.
    'http.fetchAdditionalSupport': false,
    'http.proxySupport': 'off',
    'http.systemCertificates': false,
  };
}
