// Writing a generated file so that an interruption (an error, a full disk, the extension host closing)
// leaves either no file or the complete file, never a truncated one, and an existing file is replaced
// only with consent: the content goes to a temporary file in the same folder, which is then renamed
// over the target (a rename within a folder is atomic on local file systems); without consent the
// rename refuses an existing target, even one that appeared after the check. No `vscode` here: the
// file system comes in (workspace.fs in the extension, node:fs in the unit test).

export interface AtomicWriteFs<U> {
  writeFile(uri: U, content: Uint8Array): Promise<void>;
  /** Must refuse an existing target when `overwrite` is false (workspace.fs.rename does: FileExists). */
  rename(from: U, to: U, options: { overwrite: boolean }): Promise<void>;
  delete(uri: U): Promise<void>;
  /** The names in a folder: leftovers of an earlier interrupted write are removed first. */
  readDirectory(folder: U): Promise<string[]>;
  join(folder: U, name: string): U;
}

/** Temporary files are `.{name}.fc-tmp-{random}` beside the target. */
const TEMP_MARK = '.fc-tmp-';

export function isTempFileOf(fileName: string, candidate: string): boolean {
  return candidate.startsWith(`.${fileName}${TEMP_MARK}`);
}

export async function writeFileAtomically<U>(
  fs: AtomicWriteFs<U>,
  target: { readonly folder: U; readonly name: string },
  content: Uint8Array,
  options: { readonly overwrite: boolean; readonly random?: () => string },
): Promise<void> {
  // A host that closed between the two steps left a temporary file: the target itself is intact.
  for (const name of await fs.readDirectory(target.folder).catch(() => [] as string[])) {
    if (isTempFileOf(target.name, name)) await fs.delete(fs.join(target.folder, name)).catch(() => undefined);
  }
  const random = options.random ?? (() => Math.random().toString(36).slice(2, 10));
  const temp = fs.join(target.folder, `.${target.name}${TEMP_MARK}${random()}`);
  try {
    await fs.writeFile(temp, content);
    await fs.rename(temp, fs.join(target.folder, target.name), { overwrite: options.overwrite });
  } catch (error) {
    await fs.delete(temp).catch(() => undefined);
    throw error;
  }
}
