// Explains a pasted AADSTS or Graph error against the signed-in tenant: parses it (src/domain/errorExplanations.ts),
// finds the app (the hint, or a client id the text names), reads its federated credentials through the
// GraphDirectory and says which credential differs in which field, or that consent is missing in a tenant, or
// that the credential sits on the wrong tenant's app, with the fix as a command and its arguments. No `vscode`.
// Reads only; never throws on the text (a Graph failure while comparing becomes a sentence of the answer).
import { BUILT_IN_CLOUDS, type Cloud } from '../domain/clouds';
import {
  compareWithCredentials,
  credentialsOfOtherTenants,
  explainedApp,
  explainParsed,
  parseErrorText,
  presentedIssuerTenant,
  type ErrorExplanation,
  type ExplainedApp,
  type ExplanationAction,
} from '../domain/errorExplanations';
import { parseAlternativeNames } from '../domain/managedIdentities';
import type { AppRegistration, FederatedCredential, ServicePrincipalInfo } from '../domain/model';
import { isGuid, quote, redactSecrets } from '../domain/text';
import type { GraphDirectory } from '../graph/directory';

export interface ErrorExplanationEnv {
  /** The signed-in tenant's Graph; undefined when nobody is signed in (the text is then explained alone). */
  readonly directory?: GraphDirectory;
  readonly cloud: Cloud;
  /** The signed-in tenant. */
  readonly tenantId?: string;
}

export interface ExplainErrorInput {
  readonly text: string;
  /** The app the failed request was for: object id or application (client) id. The mismatch errors do not name it. */
  readonly app?: string;
  /** The tenant the failed request went to (id or verified domain), for the consent URL. */
  readonly tenant?: string;
}

const MISMATCH = new Set(['issuerMismatch', 'subjectMismatch', 'audienceMismatch', 'noMatchingCredential']);
const CONSENT = new Set(['appNotInTenant', 'consentMissing', 'resourceNotFound', 'permissionMissing', 'missingServicePrincipal']);
/** Client ids tried from the text, at most: each costs a Graph read. */
const MAX_CLIENT_IDS = 3;

function message(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}

function consentAction(app: ExplainedApp, tenant: string | undefined): ExplanationAction {
  return {
    label: tenant ? `Copy the admin-consent URL of ${quote(app.displayName)} for tenant ${tenant}` : `Copy the admin-consent URL of ${quote(app.displayName)}…`,
    command: 'federatedCredentials.copyConsentUrl',
    arguments: { app: app.id, ...(tenant ? { tenant } : {}) },
    ...(tenant ? {} : { missing: ['tenant'] }),
  };
}

export class ErrorExplanationService {
  constructor(private readonly env: ErrorExplanationEnv) {}

  private clouds(): Cloud[] {
    return [this.env.cloud, ...BUILT_IN_CLOUDS.filter((c) => c.name !== this.env.cloud.name)];
  }

  /**
   * The managed identity a client id belongs to, when it is one: a user-assigned identity with federated credentials
   * of its own (ARM) signs in with its client id, which no app registration has. One read; undefined on any failure.
   */
  private async managedIdentityWithClientId(directory: GraphDirectory, clientId: string): Promise<ServicePrincipalInfo | undefined> {
    try {
      const found = await directory.servicePrincipals.findByAppId(clientId);
      return found?.servicePrincipalType === 'ManagedIdentity' ? found : undefined;
    } catch {
      return undefined;
    }
  }

  async explain(input: ExplainErrorInput): Promise<ErrorExplanation> {
    const parsed = parseErrorText(input.text);
    const base = explainParsed(parsed);
    if (!base.found) return base;
    const details: string[] = [];
    const actions: ExplanationAction[] = [];
    const clouds = this.clouds();
    const directory = this.env.directory;
    const signedIn = this.env.tenantId?.toLowerCase();
    const issuerTenant = presentedIssuerTenant(parsed.presented, clouds);
    // The tenant the request went to: the hint, else a tenant the text names other than the token's issuer's.
    const tenant =
      input.tenant?.trim() || parsed.tenantIds.find((t) => t !== issuerTenant) || (base.category === 'crossTenantIssuer' ? undefined : parsed.tenantIds[0]);

    let app: AppRegistration | undefined;
    if (!directory) {
      details.push('Sign in to compare the error with your app registrations: without it, only the text is explained.');
    } else {
      const lookup = async (id: string): Promise<AppRegistration | undefined> => {
        try {
          return await directory.apps.findApp(id);
        } catch (error) {
          details.push(`Could not read app ${id} from Microsoft Graph: ${message(error)}`);
          return undefined;
        }
      };
      if (input.app !== undefined) {
        app = await lookup(input.app);
        if (!app) details.push(`No app registration with object id or application id ${input.app} in the signed-in tenant${signedIn ? ` ${signedIn}` : ''}.`);
      } else {
        for (const id of parsed.clientIds.slice(0, MAX_CLIENT_IDS)) {
          app = await lookup(id);
          if (app) break;
        }
        if (!app && parsed.clientIds.length > 0) {
          const identity = await this.managedIdentityWithClientId(directory, parsed.clientIds[0]!);
          details.push(
            identity
              ? `${parsed.clientIds[0]} is the client id of the managed identity ${quote(identity.displayName)} (${parseAlternativeNames(identity.alternativeNames).display}), not of an app registration: the token was asked for with the identity's own federated credentials. Compare the presented values with them under the identity in the Managed Identities view.`
              : `No app registration with application id ${parsed.clientIds.join(', ')} in the signed-in tenant${signedIn ? ` ${signedIn}` : ''}: if the id is right, the app is registered in another tenant (sign in there to compare).`,
          );
        }
      }
    }
    const explained = app ? explainedApp(app) : undefined;
    let differences = base.differences;
    let matchingCredential = base.matchingCredential;

    if (MISMATCH.has(base.category)) {
      if (!explained || !directory) {
        if (directory && input.app === undefined) {
          details.push(
            'The error does not name the app. Pass the app the token was requested for (its object id or application id) to see which credential differs.',
          );
        }
      } else {
        const credentials = await this.credentialsOf(directory, explained, details);
        if (credentials) {
          const comparison = compareWithCredentials(explained, credentials, parsed.presented, clouds);
          details.push(...comparison.details);
          actions.push(...comparison.actions);
          differences = comparison.differences;
          matchingCredential = comparison.matchingCredential;
        }
        await this.describeSubject(directory, parsed.presented.subject, details);
      }
    }

    if (base.category === 'crossTenantIssuer') {
      if (issuerTenant) {
        details.push(
          `The token was issued by Entra ID of tenant ${issuerTenant}: the identity lives there, and only an app registered in tenant ${issuerTenant} may trust it.`,
        );
      }
      if (explained && directory && signedIn) {
        if (issuerTenant && issuerTenant !== signedIn) {
          details.push(
            `App ${quote(explained.displayName)} is registered in tenant ${signedIn}, not in the identity's tenant ${issuerTenant}. Put the credential on a multi-tenant app registered in tenant ${issuerTenant}, and have an admin of tenant ${signedIn} consent to that app.`,
          );
        }
        const credentials = await this.credentialsOf(directory, explained, details);
        for (const { credential, tenantId } of credentialsOfOtherTenants(credentials ?? [], signedIn, clouds)) {
          details.push(
            `Credential ${quote(credential.name)} of ${quote(explained.displayName)} trusts the issuer of tenant ${tenantId}: Entra refuses every token of that issuer for an app of tenant ${signedIn}, so this credential can never work here. It belongs on an app registered in tenant ${tenantId}.`,
          );
        }
      } else if (directory && signedIn && issuerTenant === signedIn) {
        details.push(
          `You are signed in to the identity's tenant ${issuerTenant}: the token was exchanged for an app of another tenant. Trust the identity on a multi-tenant app registered here, and get consent for it in the other tenant.`,
        );
      }
    }

    if (CONSENT.has(base.category)) {
      if (parsed.tenantNames.length > 0) details.push(`The request went to the directory ${parsed.tenantNames.map((n) => quote(n)).join(', ')}.`);
      if (explained) {
        const ownTenant = signedIn !== undefined && tenant !== undefined && tenant.toLowerCase() === signedIn;
        if (explained.signInAudience === 'AzureADMyOrg' && !ownTenant && base.category !== 'missingServicePrincipal') {
          details.push(
            `App ${quote(explained.displayName)} is single-tenant: no other tenant can consent to it. Make it multi-tenant ("Accounts in any organizational directory") first.`,
          );
        } else if (ownTenant && base.category === 'appNotInTenant') {
          details.push(
            `Tenant ${tenant} is the app's own tenant (the signed-in one): check the client id and tenant of the request, and that the app has a service principal here.`,
          );
        } else {
          if (base.category === 'appNotInTenant' || base.category === 'consentMissing') {
            details.push(
              `Consent for ${quote(explained.displayName)} is missing in ${tenant ? `tenant ${tenant}` : 'the tenant the request went to'}: send its admin the admin-consent URL.`,
            );
          }
          if (base.category === 'permissionMissing') {
            details.push(
              `If ${quote(explained.displayName)} lacks the permission, add it (Add Microsoft Graph Application Permission…) and have an admin of the token's tenant consent again: a permission added after consent is not granted until then.`,
            );
          }
          actions.push(consentAction(explained, tenant || (base.category === 'missingServicePrincipal' ? signedIn : undefined)));
        }
      } else if (directory && input.app === undefined && parsed.clientIds.length === 0) {
        details.push('Pass the app (its object id or application id) to get its admin-consent URL.');
      }
    }

    return {
      ...base,
      details,
      differences,
      ...(matchingCredential ? { matchingCredential } : {}),
      ...(explained ? { app: explained } : {}),
      ...(tenant ? { tenant } : {}),
      actions,
    };
  }

  private async credentialsOf(directory: GraphDirectory, app: ExplainedApp, details: string[]): Promise<FederatedCredential[] | undefined> {
    try {
      return await directory.apps.listCredentials(app.id, { operation: 'listCredentials', appName: app.displayName });
    } catch (error) {
      details.push(`Could not read the federated credentials of ${quote(app.displayName)}: ${message(error)}`);
      return undefined;
    }
  }

  /** A GUID subject is usually a managed identity's object id: name it, so the user sees whose token it was. */
  private async describeSubject(directory: GraphDirectory, subject: string | undefined, details: string[]): Promise<void> {
    if (subject === undefined || !isGuid(subject)) return;
    try {
      const principal = await directory.servicePrincipals.find(subject.toLowerCase());
      if (principal?.servicePrincipalType === 'ManagedIdentity') {
        details.push(`The token's subject is the object id of the managed identity ${quote(principal.displayName)} (${principal.id}).`);
      }
    } catch {
      // Naming the identity is a courtesy: the explanation stands without it.
    }
  }
}
