// The manifest's menus: what the palette offers depends on the sign-in, one entry per command and menu
// place, and a runbook file's editor title offers Deploy Runbook.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}
const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  categories: string[];
  contributes: { commands: Array<{ command: string; icon?: string }>; menus: Record<string, MenuEntry[]> };
};
const menus = manifest.contributes.menus;
const palette = new Map(menus.commandPalette!.map((e) => [e.command.replace('federatedCredentials.', ''), e.when]));

describe('manifest menus', () => {
  it('hides Sign In when signed in, and every command that needs an account when signed out', () => {
    assert.equal(palette.get('signIn'), '!federatedCredentials.signedIn');
    for (const id of [
      'signOut',
      'selectTenant',
      'refresh',
      'searchAppRegistrations',
      'addManagedIdentityCredential',
      'addCredential',
      'editCredential',
      'deleteCredential',
      'copyCredential',
      'copyConsentUrl',
      'createAppRegistration',
      'addApiPermission',
      'scaffoldRunbook',
      'deployRunbook',
    ]) {
      assert.match(palette.get(id) ?? '', /(^|&& )federatedCredentials\.signedIn\b/, id);
    }
  });

  it('lists each command once per menu and group (one when-regex instead of copies)', () => {
    for (const [menu, entries] of Object.entries(menus)) {
      const keys = entries.map((e) => `${e.command} ${(e.group ?? '').startsWith('inline') ? 'inline' : 'menu'}`);
      assert.deepEqual(
        keys.filter((k, i) => keys.indexOf(k) !== i),
        [],
        menu,
      );
    }
    assert.ok(
      menus['view/title']!.every((e) => !/\|\|/.test(e.when ?? '')),
      'the views are named by one regex',
    );
  });

  it('offers Deploy Runbook on the editor title of a .ps1 or .py file in a runbooks folder', () => {
    const entry = menus['editor/title']!.find((e) => e.command === 'federatedCredentials.deployRunbook');
    assert.ok(entry);
    assert.match(entry.when!, /resourceExtname =~ \/\^\\\.\(ps1\|py\)\$\//);
    assert.match(entry.when!, /runbooks/);
  });

  it('is in the Azure category only, and Create App Registration has an icon of its own', () => {
    assert.deepEqual(manifest.categories, ['Azure']);
    assert.equal(manifest.contributes.commands.find((c) => c.command === 'federatedCredentials.createAppRegistration')?.icon, '$(add)');
  });
});
