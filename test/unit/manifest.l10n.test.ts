// The manifest's strings live in package.nls.json, the runtime strings in the l10n/ bundle, and the
// walkthrough's buttons, media and completion events point at things that exist.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WALKTHROUGH_COMMANDS, WALKTHROUGH_ID, completionKey } from '../../src/walkthrough/steps';

const repoRoot = join(__dirname, '..', '..');
const manifestText = readFileSync(join(repoRoot, 'package.json'), 'utf8');
const manifest = JSON.parse(manifestText);
const nls: Record<string, string> = JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8'));

/** Every string value in the manifest, with its JSON path. */
function strings(value: unknown, path = ''): Array<{ path: string; value: string }> {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; svg?: string; image?: string; altText?: string };
  completionEvents?: string[];
}
const walkthrough = (manifest.contributes.walkthroughs as Array<{ id: string; title: string; steps: Step[] }>).find((w) => w.id === WALKTHROUGH_ID)!;
const t = (value: string) => nls[value.replace(/^%(.*)%$/, '$1')] ?? value;

describe('Manifest localisation (package.nls.json)', () => {
  it('every %key% in package.json exists in package.nls.json, and every key there is used', () => {
    const used = new Set([...manifestText.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]));
    assert.deepEqual(
      [...used].filter((k) => !(k in nls)),
      [],
      'keys missing from package.nls.json',
    );
    assert.deepEqual(
      Object.keys(nls).filter((k) => !used.has(k)),
      [],
      'keys in package.nls.json that package.json never uses',
    );
    assert.ok(used.size > 50);
  });

  it('leaves no user-facing manifest string unlocalised', () => {
    const userFacing =
      /(^|\.)(displayName|description|markdownDescription|title|name|category|contents|contextualTitle|enumDescriptions\[\d+\]|patternErrorMessage|altText)$/;
    const exempt = /^(name|repository|contributes\.menus|contributes\.commands\[\d+\]\.(command|icon)|contributes\.walkthroughs\[\d+\]\.steps\[\d+\]\.id)/;
    const literal = strings(manifest).filter(({ path, value }) => userFacing.test(path) && !exempt.test(path) && !/^%[^%]+%$/.test(value));
    assert.deepEqual(literal, []);
  });

  it('has a value for every key that is a non-empty string', () => {
    for (const [key, value] of Object.entries(nls)) assert.ok(typeof value === 'string' && value.trim() !== '', key);
  });
});

describe('Walkthrough', () => {
  const commands = new Set((manifest.contributes.commands as Array<{ command: string }>).map((c) => c.command));

  it('walks the journey: sign in, app, trust, consent, runbook, deploy, run, check', () => {
    assert.deepEqual(
      walkthrough.steps.map((s) => s.id),
      ['signIn', 'appRegistration', 'trustManagedIdentity', 'adminConsent', 'scaffoldRunbook', 'deployRunbook', 'runRunbook', 'checkTrust'],
    );
  });

  it('has a button for a contributed command in every step, and only links to contributed commands', () => {
    for (const step of walkthrough.steps) {
      const links = [...t(step.description).matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `${step.id} has no button`);
      assert.deepEqual(
        links.filter((id) => !commands.has(id)),
        [],
        step.id,
      );
    }
  });

  it('completes each step on success: onContext keys the command runner sets, never onCommand', () => {
    const keys = new Set<string>([...WALKTHROUGH_COMMANDS.map(completionKey), 'federatedCredentials.signedIn']);
    for (const step of walkthrough.steps) {
      assert.ok(step.completionEvents && step.completionEvents.length > 0, step.id);
      for (const event of step.completionEvents) {
        assert.match(event, /^onContext:/, `${step.id}: onCommand fires when the command starts, even if it is cancelled or fails`);
        assert.ok(keys.has(event.slice('onContext:'.length)), `${step.id}: ${event} is set by nobody`);
      }
    }
    // Every key the runner sets completes some step.
    const used = new Set(walkthrough.steps.flatMap((s) => s.completionEvents ?? []));
    assert.deepEqual(
      WALKTHROUGH_COMMANDS.filter((c) => !used.has(`onContext:${completionKey(c)}`)),
      [],
    );
  });

  it('has media that exist, with alt text for images', () => {
    for (const step of walkthrough.steps) {
      const file = step.media.markdown ?? step.media.svg ?? step.media.image;
      assert.ok(file && file.startsWith('media/walkthrough/') && existsSync(join(repoRoot, file)), `${step.id}: ${file}`);
      if (step.media.svg || step.media.image) assert.ok(step.media.altText && t(step.media.altText).length > 10, `${step.id} needs altText`);
    }
  });
});

describe('Runtime localisation (l10n/)', function () {
  this.timeout(60_000);

  it('points the manifest at the bundle, which is what @vscode/l10n-dev exports from src/ today', () => {
    assert.equal(manifest.l10n, './l10n');
    const committed = JSON.parse(readFileSync(join(repoRoot, 'l10n', 'bundle.l10n.json'), 'utf8'));
    const out = mkdtempSync(join(tmpdir(), 'fc-l10n-'));
    try {
      execFileSync(join(repoRoot, 'node_modules', '.bin', 'vscode-l10n-dev'), ['export', '--outDir', out, join(repoRoot, 'src')], {
        cwd: repoRoot,
        stdio: 'pipe',
      });
      const fresh = JSON.parse(readFileSync(join(out, 'bundle.l10n.json'), 'utf8'));
      assert.deepEqual(
        Object.keys(fresh).filter((k) => !(k in committed)),
        [],
        'run `npm run l10n:export`: strings missing from l10n/bundle.l10n.json',
      );
      assert.ok(Object.keys(fresh).length >= 30);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
