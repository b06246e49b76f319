// Where a generated runbook may be written: inside the workspace folder only. Paths are URI paths
// (always "/", a Windows drive as "/c:/…"), so the same rules hold for every file system.
// resolveOutputPath is pure; checkRealPathInside follows symbolic links through injected file-system
// calls (node:fs in the extension, the same in tests against a real temp folder).
import { quote } from '../../domain/text';

export type PathResult = { readonly ok: true; readonly path: string; readonly relative: string } | { readonly ok: false; readonly reason: string };

/** `C:\a\b` or `c:/a` → `/c:/a/b`; backslashes become slashes. Other input is returned with slashes only. */
export function toUriPath(value: string): string {
  const slashed = value.replace(/\\/g, '/');
  const drive = /^([A-Za-z]):(\/|$)/.exec(slashed);
  if (drive) return `/${drive[1].toLowerCase()}:${slashed.slice(2) || '/'}`;
  return slashed;
}

/** Resolves `.` and `..`; returns undefined when `..` climbs above the start of `segments`' own path. */
function normalise(path: string): string[] | undefined {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return out;
}

function sameSegment(a: string, b: string, caseInsensitive: boolean): boolean {
  return caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** True when `child` (normalised, absolute) is `root` or below it. */
export function isInside(root: string, child: string, caseInsensitive = false): boolean {
  const r = normalise(toUriPath(root)) ?? [];
  const c = normalise(toUriPath(child));
  if (!c || c.length < r.length) return false;
  return r.every((s, i) => sameSegment(s, c[i] as string, caseInsensitive));
}

export interface OutputPathInput {
  /** The workspace folder's URI path, e.g. `/home/me/project`. */
  readonly root: string;
  /** The `federatedCredentials.runbooks.folder` setting (relative to the root). */
  readonly folder: string;
  /** The template's suggested file name, e.g. `Invoke-FederatedGraph.ps1`. */
  readonly fileName: string;
  /** The command's `outputPath`: a file, or a folder when it ends with "/"; relative to the root or absolute inside it. */
  readonly outputPath?: string;
  /** `.ps1` or `.py`: an explicit file name must keep the template's extension. */
  readonly extension: string;
  readonly caseInsensitive?: boolean;
}

function unprintable(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(value);
}

// Windows device names: a file called CON, nul.ps1 or COM1.txt opens the device, not a file, and cannot be
// created or committed by a teammate on Windows. Superscript digits count as digits there too.
const WINDOWS_RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3])(\..*)?$/i;
const WINDOWS_INVALID = /[<>:"|?*]/;

/**
 * Why a file or folder name the runbook path would create cannot exist on every platform (workspaces are
 * shared, and VS Code runs on Windows), or undefined when it can.
 */
export function segmentProblem(segment: string): string | undefined {
  if (WINDOWS_RESERVED.test(segment)) return `${quote(segment)} is a reserved device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any extension)`;
  const bad = WINDOWS_INVALID.exec(segment);
  if (bad) return `${quote(segment)} contains ${JSON.stringify(bad[0])}, which file names cannot hold on Windows (< > : " | ? *)`;
  if (/[. ]$/.test(segment)) return `${quote(segment)} ends with a dot or a space, which Windows drops from file names`;
  const bytes = new TextEncoder().encode(segment).length;
  if (bytes > 255) return `${quote(segment)} is ${bytes} bytes long; a file or folder name has at most 255`;
  return undefined;
}

/** The file to write, or why it may not be written. Never returns a path outside `root`. */
export function resolveOutputPath(input: OutputPathInput): PathResult {
  const root = normalise(toUriPath(input.root));
  if (!root || !toUriPath(input.root).startsWith('/')) return { ok: false, reason: `The workspace folder ${quote(input.root, 200)} is not an absolute path.` };
  const rootPath = '/' + root.join('/');

  const place = (raw: string, what: string): { segments: string[] } | { reason: string } => {
    if (unprintable(raw)) return { reason: `${what} ${quote(raw)} contains a control character.` };
    const p = toUriPath(raw.trim());
    const absolute = p.startsWith('/');
    const segments = normalise(absolute ? p : `${rootPath}/${p}`);
    if (!segments || !isInside(rootPath, '/' + segments.join('/'), input.caseInsensitive)) {
      return { reason: `${what} ${quote(raw)} is outside the workspace folder ${quote(rootPath, 200)}; runbooks are written inside it only.` };
    }
    // Only the part below the workspace folder is created; the folder itself is the user's (it may be C:).
    for (const segment of segments.slice(root.length)) {
      const problem = segmentProblem(segment);
      if (problem) return { reason: `${what} ${quote(raw)} cannot be written: ${problem}.` };
    }
    return { segments };
  };

  let segments: string[];
  if (input.outputPath !== undefined) {
    const placed = place(input.outputPath, '"outputPath"');
    if ('reason' in placed) return { ok: false, reason: placed.reason };
    const isFolder = /[\\/]$/.test(input.outputPath.trim()) || placed.segments.length === root.length;
    segments = isFolder ? [...placed.segments, input.fileName] : placed.segments;
    const name = segments[segments.length - 1] as string;
    if (!name.toLowerCase().endsWith(input.extension.toLowerCase()) || name.length === input.extension.length) {
      return { ok: false, reason: `"outputPath" must name a ${input.extension} file (or a folder ending with "/"); got ${quote(input.outputPath)}.` };
    }
  } else {
    const placed = place(input.folder.trim() === '' ? '.' : input.folder, 'The setting federatedCredentials.runbooks.folder');
    if ('reason' in placed) return { ok: false, reason: placed.reason };
    segments = [...placed.segments, input.fileName];
  }
  if (segments.length === root.length) return { ok: false, reason: 'The output path names the workspace folder itself.' };
  const path = '/' + segments.join('/');
  return { ok: true, path, relative: segments.slice(root.length).join('/') };
}

export interface LinkFs {
  realpath(path: string): Promise<string>;
  /** True when `path` itself is a symbolic link (lstat), false when it is not or does not exist. */
  isSymbolicLink(path: string): Promise<boolean>;
  parent(path: string): string;
}

/**
 * Follows symbolic links: the nearest existing ancestor of `target` (or `target` itself) must
 * really lie inside the real `root`, and no dangling link may sit on the way (writing through it
 * would create a file wherever it points). Returns why not, or undefined when the path is safe.
 * Paths here are native file-system paths.
 */
export async function checkRealPathInside(root: string, target: string, fs: LinkFs, caseInsensitive = false): Promise<string | undefined> {
  const realRoot = await fs.realpath(root);
  let current = target;
  for (;;) {
    let real: string | undefined;
    try {
      real = await fs.realpath(current);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      if (await fs.isSymbolicLink(current))
        return `${JSON.stringify(current)} is a symbolic link to something that does not exist; runbooks are not written through it.`;
    }
    if (real !== undefined) {
      return isInside(realRoot, real, caseInsensitive)
        ? undefined
        : `${JSON.stringify(current)} leads through a symbolic link to ${JSON.stringify(real)}, outside the workspace folder; runbooks are written inside it only.`;
    }
    const up = fs.parent(current);
    if (up === current) return `Nothing of ${JSON.stringify(target)} exists, not even the workspace folder.`;
    current = up;
  }
}
