// Writes snippets/powershell.json and snippets/python.json from the runbook templates
// (src/runbooks/snippets.ts). Run: npx tsx scripts/generate-snippets.ts
// A unit test (test/unit/runbooks/snippets.test.ts) fails when the committed files are stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSnippets, snippetFileText } from '../src/runbooks';

const dir = join(__dirname, '..', 'snippets');
mkdirSync(dir, { recursive: true });
const snippets = buildSnippets();
for (const [language, file] of Object.entries(snippets)) {
  const path = join(dir, `${language}.json`);
  writeFileSync(path, snippetFileText(file));
  console.log(`wrote ${path} (${Object.keys(file).length} snippet(s))`);
}
