// How a federated credential looks in a tree, wherever it lives: on an app registration (App Registrations
// view) or on a user-assigned managed identity (Managed Identities view). Kind icon, what the subject means,
// and a tooltip with issuer, subject (or claims-matching expression) and audience.
import * as vscode from 'vscode';
import { describeAzureDevOpsConnection, describeGitHubSubject, type CredentialClassification, type CredentialKind } from '../domain/credentialKinds';
import type { ClaimsMatchingExpression } from '../domain/claimsExpression';

const KIND_ICONS: Record<CredentialKind, string> = {
  managedIdentity: 'azure',
  githubActions: 'github',
  kubernetes: 'server-environment',
  azureDevOps: 'azure-devops',
  otherIssuer: 'key',
};

const KIND_LABELS: Record<CredentialKind, string> = {
  managedIdentity: 'Managed identity',
  githubActions: 'GitHub Actions',
  kubernetes: 'Kubernetes',
  azureDevOps: 'Azure DevOps',
  otherIssuer: 'Other issuer',
};

/** The fields a credential shows, in either place. */
export interface ShownCredential {
  readonly name: string;
  readonly issuer: string;
  /** '' or null for a flexible credential. */
  readonly subject: string | null;
  readonly audiences: readonly string[];
  readonly description?: string | null;
  readonly claimsMatchingExpression?: ClaimsMatchingExpression | null;
}

export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

export function escapeCode(text: string): string {
  return text.replace(/`/g, "'");
}

/** What a credential's subject means, in words, where its kind says more than the raw value. */
function readableSubject(credential: ShownCredential, classification: CredentialClassification): string | undefined {
  if (credential.claimsMatchingExpression) return `flexible: ${credential.claimsMatchingExpression.value}`;
  if (classification.kind === 'githubActions') return describeGitHubSubject(credential.subject ?? '');
  if (classification.kind === 'azureDevOps') return describeAzureDevOpsConnection(classification.connection);
  return undefined;
}

/**
 * The credential's tree item: its name, the kind and what the subject means (or `subjectName`, e.g. the
 * identity a managed-identity credential names), the kind's icon and a tooltip with every value.
 */
export function credentialTreeItem(
  id: string,
  credential: ShownCredential,
  classification: CredentialClassification,
  options: { contextValue: string; subjectName?: string },
): vscode.TreeItem {
  const kind = classification.kind;
  const readable = readableSubject(credential, classification);
  const named = options.subjectName;
  const item = new vscode.TreeItem(credential.name, vscode.TreeItemCollapsibleState.None);
  item.id = id;
  item.description = `${KIND_LABELS[kind]}${named ? `: ${named}` : readable ? `: ${readable}` : ''}`;
  item.iconPath = new vscode.ThemeIcon(KIND_ICONS[kind]);
  item.contextValue = options.contextValue;
  const tooltip = new vscode.MarkdownString(undefined, false);
  tooltip.appendMarkdown(
    `**${escapeMarkdown(credential.name)}** · ${KIND_LABELS[kind]}${credential.claimsMatchingExpression ? ' (flexible, preview)' : ''}\n\n`,
  );
  tooltip.appendMarkdown(`Issuer: \`${escapeCode(credential.issuer)}\`  \n`);
  if (credential.claimsMatchingExpression) {
    tooltip.appendMarkdown(`Claims matching expression: \`${escapeCode(credential.claimsMatchingExpression.value)}\`  \n`);
  } else {
    tooltip.appendMarkdown(`Subject: \`${escapeCode(credential.subject ?? '')}\`${named ? ` (${escapeMarkdown(named)})` : ''}  \n`);
    if (readable) tooltip.appendMarkdown(`${escapeMarkdown(readable)}  \n`);
  }
  tooltip.appendMarkdown(`Audience: \`${escapeCode(credential.audiences.join(', '))}\``);
  if (credential.description) tooltip.appendMarkdown(`\n\n${escapeMarkdown(credential.description)}`);
  item.tooltip = tooltip;
  return item;
}
