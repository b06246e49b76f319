// Check Trust's report where people read it: the last check of an app, as a "Trust check" node under
// the app in the App Registrations view with one child per finding (what is wrong, why, and the fix
// as an action), and the app's mark (a warning icon and "trust: N problems") while its last check
// found problems. Kept for the session, one report per app.
import * as vscode from 'vscode';
import type { TrustFinding, TrustSeverity } from '../domain/trustCheck';
import type { TrustReport } from '../services/trustCheck';
import { escapeMarkdown } from './credentialItem';
import { ContextValues, contextValue } from './contextValues';
import type { TreeNode } from './treeNode';

const ICONS: Record<TrustSeverity, vscode.ThemeIcon> = {
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  info: new vscode.ThemeIcon('info'),
  ok: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
};
const ORDER: Record<TrustSeverity, number> = { error: 0, warning: 1, info: 2, ok: 3 };

/** How the App Registrations view marks an app after a check. */
export interface TrustMark {
  readonly description: string;
  readonly icon: vscode.ThemeIcon;
  readonly tooltip: string;
}

/** What the App Registrations view asks of the reports. */
export interface TrustReportsView {
  mark(appObjectId: string): TrustMark | undefined;
  node(parent: TreeNode, appObjectId: string): TreeNode | undefined;
}

function countsText(report: TrustReport): string {
  const { error, warning } = report.counts;
  const parts = [error ? vscode.l10n.t('{0} error(s)', error) : undefined, warning ? vscode.l10n.t('{0} warning(s)', warning) : undefined];
  return parts.filter(Boolean).join(' · ') || vscode.l10n.t('no problems');
}

export class TrustReports implements TrustReportsView, vscode.Disposable {
  private readonly reports = new Map<string, TrustReport>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires the app's object id when its report changes. */
  readonly onDidChange = this.changed.event;

  set(report: TrustReport): void {
    this.reports.set(report.app.id, report);
    this.changed.fire(report.app.id);
  }

  get(appObjectId: string): TrustReport | undefined {
    return this.reports.get(appObjectId);
  }

  clear(): void {
    const ids = [...this.reports.keys()];
    this.reports.clear();
    for (const id of ids) this.changed.fire(id);
  }

  mark(appObjectId: string): TrustMark | undefined {
    const report = this.reports.get(appObjectId);
    if (!report?.problems) return undefined;
    const text = countsText(report);
    return {
      description: vscode.l10n.t('trust: {0}', text),
      icon: ICONS[report.counts.error > 0 ? 'error' : 'warning'],
      tooltip: vscode.l10n.t('The last trust check ({0}) found {1}.', report.checkedAt, text),
    };
  }

  node(parent: TreeNode, appObjectId: string): TreeNode | undefined {
    const report = this.reports.get(appObjectId);
    return report && new TrustReportNode(parent, report);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** "Trust check" under the app: the last report, its findings as children (problems first). */
export class TrustReportNode implements TreeNode {
  readonly id: string;
  constructor(
    readonly parent: TreeNode,
    readonly report: TrustReport,
  ) {
    this.id = `${parent.id}/trust`;
  }

  getTreeItem(): vscode.TreeItem {
    const { report } = this;
    const item = new vscode.TreeItem(vscode.l10n.t('Trust check'), vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.description = countsText(report);
    item.iconPath = report.problems ? ICONS[report.counts.error > 0 ? 'error' : 'warning'] : ICONS.ok;
    item.contextValue = contextValue('trustReport');
    const tenants = report.tenants.length > 0 ? report.tenants.join(', ') : vscode.l10n.t('none named');
    item.tooltip = new vscode.MarkdownString(
      `${vscode.l10n.t('Checked {0}. Target tenants: {1}.', report.checkedAt, escapeMarkdown(tenants))}\n\n${vscode.l10n.t('Run Check Trust again after a change.')}`,
    );
    return item;
  }

  getChildren(): TreeNode[] {
    return [...this.report.findings]
      .map((finding, index) => ({ finding, index }))
      .sort((a, b) => ORDER[a.finding.severity] - ORDER[b.finding.severity] || a.index - b.index)
      .map(({ finding, index }) => new TrustFindingNode(this, finding, index));
  }
}

/** One finding: the message as label, what it is about as description, why and the fix in the tooltip; the fix runs from its menu. */
export class TrustFindingNode implements TreeNode {
  readonly id: string;
  constructor(
    readonly parent: TrustReportNode,
    readonly finding: TrustFinding,
    index: number,
  ) {
    this.id = `${parent.id}/${index}/${finding.code}`;
  }

  get app(): TrustReport['app'] {
    return this.parent.report.app;
  }

  getTreeItem(): vscode.TreeItem {
    const { finding } = this;
    const item = new vscode.TreeItem(finding.message, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = finding.subject.kind === 'app' ? undefined : finding.subject.name;
    item.iconPath = ICONS[finding.severity];
    item.contextValue = contextValue(ContextValues.trustFinding, finding.fix && ContextValues.fixable);
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.appendMarkdown(`**${escapeMarkdown(finding.message)}**\n\n`);
    tooltip.appendMarkdown(`${vscode.l10n.t('Why')}: ${escapeMarkdown(finding.why)}`);
    if (finding.fix) tooltip.appendMarkdown(`\n\n${vscode.l10n.t('Fix')}: ${escapeMarkdown(finding.fix.title)} (${vscode.l10n.t('Apply Fix in the menu')})`);
    item.tooltip = tooltip;
    return item;
  }
}

/** The finding a tree node shows, for Apply Fix. */
export function findingOf(node: unknown): { finding: TrustFinding; report: TrustReport } | undefined {
  return node instanceof TrustFindingNode ? { finding: node.finding, report: node.parent.report } : undefined;
}
