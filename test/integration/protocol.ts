// The line format between the in-host suites and the runner (the extension host's console reaches
// the runner through the workbench's codeAutomationLog). One JSON object per line after a marker.
export interface SuiteSummary {
  passed: number;
  failed: number;
  pending: number;
}

export type ResultLine =
  { kind: 'pass' | 'pending'; title: string } | { kind: 'fail'; title: string; error: string } | { kind: 'summary'; summary: SuiteSummary };

const MARKER = '[fc-test] ';

export function formatResultLine(line: ResultLine): string {
  return MARKER + JSON.stringify(line);
}

export function parseResultLine(text: string): ResultLine | undefined {
  const at = text.indexOf(MARKER);
  if (at < 0) return undefined;
  try {
    return JSON.parse(text.slice(at + MARKER.length)) as ResultLine;
  } catch {
    return undefined;
  }
}
