// Opening a URL in the user's browser from any VS Code (desktop, code-server, vscode.dev).
// - code-server rewrites a `localhost`/`127.0.0.1` URL to its port-forwarding proxy (`{server}/proxy/{port}/`),
//   dropping the path and query and speaking plain HTTP: the sandbox's HTTPS pages (admin consent, device login)
//   opened that way fail ("socket hang up"). That browser is on this machine, so such a URL is opened with the
//   same loopback address spelled in a form the rewrite does not match (`127.1`, which every browser reads as
//   127.0.0.1, still covered by the sandbox's certificate). Port forwards that keep the path are left to VS Code.
// - Against a sandbox (a custom cloud on loopback), a URL outside it (the real portal, documentation) says first
//   that it leaves the sandbox.
import * as vscode from 'vscode';
import type { Cloud } from '../domain/clouds';
import { isLoopbackHost, loopbackUrlPastProxy, tryParseUrl } from '../domain/web';

/** True when the cloud is a local emulator (the built-in sandbox, or any custom cloud on loopback). */
export function isLoopbackCloud(cloud: Cloud): boolean {
  const login = tryParseUrl(cloud.loginUrl);
  return cloud.name === 'Custom' && login !== undefined && isLoopbackHost(login.hostname);
}

export async function openInBrowser(url: string, cloud: Cloud): Promise<boolean> {
  let uri = vscode.Uri.parse(url, true);
  const parsed = tryParseUrl(url);
  const loopback = parsed !== undefined && isLoopbackHost(parsed.hostname);
  if (loopback) {
    // What VS Code would open. A port forward that keeps the path and query (Remote-SSH, WSL, Codespaces) is
    // fine, and VS Code applies it itself. A rewrite that drops them is code-server's proxy, whose browser is
    // on this machine: the page opens there under the unproxied spelling.
    const external = await vscode.env.asExternalUri(uri);
    if (external.authority !== uri.authority && (external.path !== uri.path || external.query !== uri.query)) {
      uri = vscode.Uri.parse(loopbackUrlPastProxy(url), true);
    }
  } else if (isLoopbackCloud(cloud)) {
    const open = vscode.l10n.t('Open');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('This link leaves the sandbox'),
      {
        modal: true,
        detail: vscode.l10n.t(
          '{0} is outside the built-in sandbox: it shows the real service, where the sandbox tenant and its apps do not exist.',
          parsed?.host ?? url,
        ),
      },
      open,
    );
    if (choice !== open) return false;
  }
  return vscode.env.openExternal(uri);
}
