// Installs the offline VS Code test host on first use: code-server (VS Code's own server build,
// published on npm) in a cache folder outside the source tree, plus the Debian packages it needs.
// A second run reuses the cache. See docs in tools/test-host/README.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, readFileSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** VS Code 1.100 = code-server 4.100.3, the last release that runs on Node 20. Matches engines.vscode. */
export const CODE_SERVER_VERSION = '4.100.3';
/** The ripgrep version @vscode/ripgrep 1.15.11 would download; it takes a cached tarball first. */
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

/** Debian packages: the browser, ripgrep (copied in for code-server), and headers for the kerberos native module. */
const DEBIAN_PACKAGES: ReadonlyArray<{ pkg: string; provides: string }> = [
  { pkg: 'chromium', provides: '/usr/bin/chromium' },
  { pkg: 'ripgrep', provides: '/usr/bin/rg' },
  { pkg: 'libkrb5-dev', provides: '/usr/include/krb5.h' },
];

export function cacheRoot(): string {
  const base = process.env.FC_TEST_HOST_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'federated-credentials-test-host');
  return base;
}

export interface TestHost {
  readonly codeServerBin: string;
  readonly chromiumBin: string;
}

function log(message: string): void {
  process.stderr.write(`[test-host] ${message}\n`);
}

export function ensureDebianPackages(): void {
  const missing = DEBIAN_PACKAGES.filter((p) => !existsSync(p.provides));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.pkg);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    throw new Error(
      `The VS Code test host needs these Debian packages: ${names.join(', ')}.\n` +
        `Install them with:\n  sudo apt-get update && sudo apt-get install -y ${names.join(' ')}`,
    );
  }
  log(`installing Debian packages: ${names.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: 'inherit', env });
}

/** @vscode/ripgrep's postinstall downloads rg from GitHub; give it Debian's rg in its cache instead. */
function seedRipgrepCache(): void {
  const cacheDir = join(process.env.TMPDIR ?? tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const tarball = join(cacheDir, RIPGREP_TARBALL);
  if (existsSync(tarball)) return;
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'rg-'));
  copyFileSync('/usr/bin/rg', join(staging, 'rg'));
  execFileSync('tar', ['-czf', tarball, '-C', staging, 'rg']);
  rmSync(staging, { recursive: true, force: true });
}

export function ensureCodeServer(): string {
  const dir = join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
  const bin = join(dir, 'node_modules', '.bin', 'code-server');
  const stamp = join(dir, '.installed');
  if (existsSync(stamp) && existsSync(bin)) return bin;

  log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (once; about a minute)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fc-test-host', private: true }));
  seedRipgrepCache();
  const result = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', '--foreground-scripts=false', `code-server@${CODE_SERVER_VERSION}`],
    {
      cwd: dir,
      stdio: 'inherit',
      env: {
        ...process.env,
        // code-server's postinstall refuses root without this; node-pty's runs `npx node-gyp`, which would wait for a yes.
        npm_config_unsafe_perm: 'true',
        npm_config_yes: 'true',
      },
    },
  );
  if (result.status !== 0 || !existsSync(bin)) {
    throw new Error(`Installing code-server ${CODE_SERVER_VERSION} failed (npm exit ${result.status}). See the npm output above.`);
  }
  writeFileSync(stamp, new Date().toISOString());
  return bin;
}

/** The extension whose suites run here; VS Code trusts it to use sign-in sessions without asking. */
const EXTENSION_UNDER_TEST = 'federated-credentials.federated-credentials';

/**
 * Extension tests may not show dialogs (VS Code refuses them in test mode), and VS Code asks before an
 * extension's first sign-in unless the product trusts it, as VS Code's own product.json trusts first-party
 * extensions. The test host's product.json is ours to configure: it trusts the extension under test.
 */
export function trustExtensionForSignIn(codeServerBin: string): void {
  const productPath = join(codeServerBin, '..', '..', 'code-server', 'lib', 'vscode', 'product.json');
  const product = JSON.parse(readFileSync(productPath, 'utf8')) as { trustedExtensionAuthAccess?: string[] | Record<string, string[]> };
  const trusted = product.trustedExtensionAuthAccess;
  if (Array.isArray(trusted)) {
    if (trusted.includes(EXTENSION_UNDER_TEST)) return;
    trusted.push(EXTENSION_UNDER_TEST);
  } else {
    product.trustedExtensionAuthAccess = { ...trusted, 'fc-sandbox': [...(trusted?.['fc-sandbox'] ?? []), EXTENSION_UNDER_TEST] };
  }
  writeFileSync(productPath, JSON.stringify(product, null, '\t'));
}

export function ensureTestHost(): TestHost {
  ensureDebianPackages();
  const codeServerBin = ensureCodeServer();
  trustExtensionForSignIn(codeServerBin);
  return { codeServerBin, chromiumBin: '/usr/bin/chromium' };
}

if (require.main === module) {
  const host = ensureTestHost();
  console.log(JSON.stringify(host));
}
