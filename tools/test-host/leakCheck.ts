// The integration runner's final check: no secret the sandbox issued appears in anything the run captured
// (log lines) or left on disk (code-server's logs and user data, the test workspace, recorded telemetry,
// the workbench's browser storage). Reads the files; the matching itself is tools/test-host/secretScan.ts.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecretScanner, formatLeak, type Leak, type ScannedSecret } from './secretScan';

/** The extension's LogOutputChannel as VS Code writes it to disk (`…/exthost1/<extension id>/Federated Credentials.log`). */
export const CHANNEL_LOG_FILE = /(^|[\\/])(\d+-)?Federated Credentials\.log$/;

/** Files larger than this are scanned in their first `MAX_FILE_BYTES` only (and reported as such). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface CapturedLines {
  readonly name: string;
  readonly lines: readonly string[];
}

export interface LeakCheckInput {
  readonly secrets: readonly ScannedSecret[];
  readonly captures: readonly CapturedLines[];
  /** Folders (scanned recursively, symbolic links not followed) or single files. */
  readonly roots: readonly string[];
}

export interface LeakCheckResult {
  readonly leaks: readonly Leak[];
  readonly lines: number;
  readonly files: readonly string[];
  /** Files of the extension's output channel among `files`. */
  readonly channelLogs: readonly string[];
  /** Secrets too short to search for. */
  readonly skipped: number;
  /** Files cut at MAX_FILE_BYTES. */
  readonly truncated: readonly string[];
  /** One line per leak, secrets masked. */
  readonly report: readonly string[];
}

/** Every regular file under `root` (or `root` itself when it is a file); missing roots give none. */
export function listFiles(root: string): string[] {
  let stat;
  try {
    stat = lstatSync(root);
  } catch {
    return [];
  }
  if (stat.isFile()) return [root];
  if (!stat.isDirectory()) return [];
  return readdirSync(root)
    .sort()
    .flatMap((name) => listFiles(join(root, name)));
}

/** A file as text: UTF-8, or byte for byte (latin1) when it holds NULs (SQLite, LevelDB…), so ASCII secrets match either way. */
export function readForScan(path: string): { text: string; truncated: boolean } {
  const buffer = readFileSync(path);
  const bytes = buffer.length > MAX_FILE_BYTES ? buffer.subarray(0, MAX_FILE_BYTES) : buffer;
  return { text: bytes.includes(0) ? bytes.toString('latin1') : bytes.toString('utf8'), truncated: bytes !== buffer };
}

export function checkForLeaks(input: LeakCheckInput): LeakCheckResult {
  const scanner = createSecretScanner(input.secrets);
  const leaks: Leak[] = [];
  let lines = 0;
  for (const capture of input.captures) {
    lines += capture.lines.length;
    leaks.push(...scanner.scan(capture.name, capture.lines.join('\n')));
  }
  const files = [...new Set(input.roots.flatMap(listFiles))];
  const truncated: string[] = [];
  for (const file of files) {
    const { text, truncated: cut } = readForScan(file);
    if (cut) truncated.push(file);
    leaks.push(...scanner.scan(file, text));
  }
  return {
    leaks,
    lines,
    files,
    channelLogs: files.filter((f) => CHANNEL_LOG_FILE.test(f)),
    skipped: scanner.skipped,
    truncated,
    report: leaks.map((leak) => formatLeak(leak, input.secrets)),
  };
}
