// Sign in, sign out, select tenant.
import * as vscode from 'vscode';
import type { AuthService, SignedInAccount } from '../auth/authService';
import { listTenants, type ArmClient, type ArmTenant } from '../arm/armClient';
import { tenantIdArgument } from './arguments';
import type { CommandContext } from './commandRunner';

export interface SignInDeps {
  readonly auth: AuthService;
  readonly arm: () => ArmClient;
}

export async function signIn(deps: SignInDeps, _context: CommandContext, args?: unknown): Promise<SignedInAccount> {
  return deps.auth.signIn(tenantIdArgument(args));
}

export async function signOut(deps: SignInDeps): Promise<void> {
  await deps.auth.signOut();
}

export async function selectTenant(deps: SignInDeps, context: CommandContext, args?: unknown): Promise<SignedInAccount> {
  const given = tenantIdArgument(args);
  if (given) return deps.auth.selectTenant(given);
  if (!deps.auth.account) await deps.auth.signIn();
  const current = deps.auth.requireAccount();
  const tenants = listTenants(deps.arm());
  const tenantId = await context.ui.pick<string>(
    tenants.then((list: ArmTenant[]) =>
      list.map((t) => ({
        label: t.displayName ?? t.defaultDomain ?? t.tenantId,
        description: t.tenantId === current.tenantId ? vscode.l10n.t('{0} (current)', t.tenantId) : t.tenantId,
        detail: t.defaultDomain,
        data: t.tenantId,
      })),
    ),
    {
      placeholder: vscode.l10n.t('Select the tenant whose app registrations and identities to show'),
      title: vscode.l10n.t('Select Tenant'),
      argument: 'tenant',
    },
  );
  return deps.auth.selectTenant(tenantId);
}
