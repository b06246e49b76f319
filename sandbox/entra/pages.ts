// The interactive pages, kept minimal but accessible (labelled inputs, real buttons) so a browser test can
// drive them by role and label: the device-code verification page and the admin-consent page.
// Admin consent: entra-docs docs/identity-platform/v2-admin-consent.md and v2-oauth2-client-creds-grant-flow.md
// ("Request the permissions from a directory admin"); docs/identity/enterprise-apps/grant-admin-consent.md.
import type { SandboxCore } from '../core';
import { AreaRouter, html, redirect, SandboxRequest, SandboxResponse } from '../router';
import { Application, GRAPH_APP_ID, Tenant, User } from '../state';
import { findUserFor, parseScopes, resolveTenantSegment } from './common';
import { completeDeviceCode } from './token';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:Segoe UI,system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
label{display:block;margin-top:.8rem}input{display:block;width:100%;padding:.4rem;margin-top:.2rem}
button{margin-top:1rem;margin-right:.5rem;padding:.4rem 1.2rem}.error{color:#a80000}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

function field(name: string, label: string, type = 'text', value = '', autocomplete = ''): string {
  return `<label for="${name}">${escapeHtml(label)}</label><input id="${name}" name="${name}" type="${type}" value="${escapeHtml(value)}"${autocomplete ? ` autocomplete="${autocomplete}"` : ''}>`;
}

function hidden(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v as string)}">`)
    .join('\n');
}

function form(req: SandboxRequest): Record<string, string> {
  const b = req.body;
  const out: Record<string, string> = {};
  if (b && typeof b === 'object') for (const [k, v] of Object.entries(b)) if (typeof v === 'string') out[k] = v;
  return out;
}

// ---- device code -------------------------------------------------------------------------------------------

function deviceLoginPage(error?: string, values: Record<string, string> = {}): string {
  return page(
    'Enter code',
    `<p>Enter the code displayed on your app or device, then sign in.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post">
${field('otc', 'Code', 'text', values.otc ?? '', 'one-time-code')}
${field('login', 'Email or username', 'email', values.login ?? '', 'username')}
${field('passwd', 'Password', 'password', '', 'current-password')}
<button type="submit" name="action" value="accept">Next</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form>`,
  );
}

// ---- admin consent -----------------------------------------------------------------------------------------

interface ConsentRequest {
  readonly v2: boolean;
  readonly tenantSegment: string;
  readonly clientId: string;
  readonly redirectUri?: string;
  readonly state?: string;
  readonly scope?: string;
}

function consentParams(req: SandboxRequest, v2: boolean): ConsentRequest {
  const f = { ...Object.fromEntries(req.query), ...form(req) };
  return {
    v2,
    tenantSegment: req.params.tenant as string,
    clientId: f.client_id ?? '',
    redirectUri: f.redirect_uri || undefined,
    state: f.state,
    scope: f.scope,
  };
}

function errorPage(code: number, message: string): SandboxResponse {
  return html(400, page('Sorry, but we’re having trouble signing you in.', `<p class="error" role="alert">AADSTS${code}: ${escapeHtml(message)}</p>`));
}

function registeredRedirectUris(app: Application): string[] {
  return [...app.web.redirectUris, ...app.spa.redirectUris, ...app.publicClient.redirectUris];
}

function withQuery(uri: string, params: Record<string, string | undefined>): string {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

/** Permission names the consent page lists: app roles for .default / v1, dynamic delegated scopes for v2. */
function requestedPermissions(core: SandboxCore, app: Application, cr: ConsentRequest): { label: string }[] {
  const out: { label: string }[] = [];
  const parsed = cr.v2 && cr.scope ? parseScopes(cr.scope) : undefined;
  if (parsed && !parsed.values.includes('.default')) {
    for (const v of parsed.values) out.push({ label: `${v} (delegated)` });
    return out;
  }
  for (const rra of app.requiredResourceAccess) {
    const resourceApp = core.state.findApplicationByAppId(rra.resourceAppId);
    for (const ra of rra.resourceAccess) {
      const name =
        ra.type === 'Role'
          ? resourceApp?.appRoles.find((r) => r.id === ra.id)?.value
          : resourceApp?.api.oauth2PermissionScopes.find((s) => s.id === ra.id)?.value;
      out.push({ label: `${name ?? ra.id} (${ra.type === 'Role' ? 'application' : 'delegated'}, ${resourceApp?.displayName ?? rra.resourceAppId})` });
    }
  }
  return out;
}

function consentPage(core: SandboxCore, app: Application, cr: ConsentRequest, error?: string, username = ''): string {
  const perms = requestedPermissions(core, app, cr);
  return page(
    'Permissions requested',
    `<p><strong>${escapeHtml(app.displayName)}</strong> (${escapeHtml(app.appId)}) is requesting permissions for your organization.
Sign in as an administrator and accept to grant them for all users in the organization.</p>
<ul aria-label="Requested permissions">${perms.map((p) => `<li>${escapeHtml(p.label)}</li>`).join('')}</ul>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post">
${hidden({ client_id: cr.clientId, redirect_uri: cr.redirectUri, state: cr.state, scope: cr.scope })}
${field('login', 'Email or username', 'email', username, 'username')}
${field('passwd', 'Password', 'password', '', 'current-password')}
<button type="submit" name="action" value="accept">Accept</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form>`,
  );
}

/** Validates the request (tenant, client, redirect URI); an error page when Entra would show one. */
function validateConsent(core: SandboxCore, cr: ConsentRequest): { app: Application } | { response: SandboxResponse } {
  const seg = resolveTenantSegment(core, cr.tenantSegment);
  if (seg.kind === 'unknown')
    return {
      response: errorPage(
        90002,
        `Tenant '${cr.tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      ),
    };
  if (cr.v2 && seg.kind === 'common')
    return {
      response: errorPage(
        90130,
        "The application isn't supported over the /common or /consumers endpoints. Use the /organizations or tenant-specific endpoint.",
      ),
    };
  if (!cr.clientId) return { response: errorPage(900144, "The request body must contain the following parameter: 'client_id'.") };
  const app = core.state.findApplicationByAppId(cr.clientId);
  if (!app)
    return {
      response: errorPage(
        700016,
        `Application with identifier '${cr.clientId}' was not found in the directory '${seg.kind === 'tenant' ? seg.tenant.displayName : seg.segment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      ),
    };
  if (seg.kind === 'tenant' && app.tenantId !== seg.tenant.id && app.signInAudience === 'AzureADMyOrg') {
    return {
      response: errorPage(
        700016,
        `Application with identifier '${cr.clientId}' was not found in the directory '${seg.tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      ),
    };
  }
  if (cr.redirectUri !== undefined && !registeredRedirectUris(app).includes(cr.redirectUri)) {
    return {
      response: errorPage(
        50011,
        `The redirect URI '${cr.redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.appId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
      ),
    };
  }
  if (cr.v2 && !cr.scope) return { response: errorPage(900144, "The request body must contain the following parameter: 'scope'.") };
  return { app };
}

/**
 * Grants tenant-wide consent for `app` in `tenant`: creates its service principal there, assigns the app
 * roles of its requiredResourceAccess (application permissions) and sets the delegated grants.
 * `scopes` (v2 dynamic consent): only those delegated scopes instead.
 */
export function grantAdminConsent(core: SandboxCore, tenant: Tenant, app: Application, dynamicScope?: string): void {
  const state = core.state;
  const existed = state.findServicePrincipal(tenant.id, app.appId) !== undefined;
  const sp = state.ensureServicePrincipal(tenant.id, app);
  // A service principal that consent creates takes a moment to reach the token endpoint (consistency knob).
  if (!existed) core.recordWrite(sp);
  const parsed = dynamicScope ? parseScopes(dynamicScope) : undefined;
  if (parsed && !parsed.values.includes('.default')) {
    const resource = core.findResource(tenant.id, parsed.resource ?? GRAPH_APP_ID);
    if (resource) {
      const existing = state.grantedScopes(sp, resource, '');
      state.setAllPrincipalsGrant(tenant.id, sp, resource, [...existing, ...parsed.values]);
    }
    return;
  }
  for (const rra of app.requiredResourceAccess) {
    const resource = state.findServicePrincipal(tenant.id, rra.resourceAppId);
    if (!resource) continue;
    const scopes: string[] = [];
    for (const ra of rra.resourceAccess) {
      if (ra.type === 'Role') {
        if (resource.appRoles.some((r) => r.id === ra.id)) state.addAppRoleAssignment(tenant.id, sp, resource, ra.id);
      } else {
        const s = resource.oauth2PermissionScopes.find((x) => x.id === ra.id);
        if (s) scopes.push(s.value);
      }
    }
    // Tenant-wide consent through this URL replaces the previously granted tenant-wide delegated permissions.
    if (scopes.length > 0) state.setAllPrincipalsGrant(tenant.id, sp, resource, scopes);
  }
}

function signInAdmin(core: SandboxCore, cr: ConsentRequest, username: string, password: string): { user: User; tenant: Tenant } | { error: string } {
  const seg = resolveTenantSegment(core, cr.tenantSegment);
  const who = findUserFor(core, seg, username);
  if (!who) {
    const existsElsewhere = core.state.findUserByUpn(username);
    if (existsElsewhere && seg.kind === 'tenant')
      return {
        error: `AADSTS50020: User account '${username}' from identity provider '${core.issuer(existsElsewhere.tenantId)}' does not exist in tenant '${seg.tenant.displayName}' and cannot access the application '${cr.clientId}' in that tenant.`,
      };
    return { error: 'This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin.' };
  }
  if (!core.state.checkPassword(who.user, password))
    return { error: "Your account or password is incorrect. If you don't remember your password, reset it now." };
  return who;
}

const NOT_ADMIN = 'AADSTS90094: The grant requires admin permission.';

function consentPost(req: SandboxRequest, v2: boolean): SandboxResponse {
  const core = req.core;
  const cr = consentParams(req, v2);
  const valid = validateConsent(core, cr);
  if ('response' in valid) return valid.response;
  const f = form(req);
  const back = (params: Record<string, string | undefined>, fallbackTitle: string, fallbackText: string, status = 200) =>
    cr.redirectUri ? redirect(withQuery(cr.redirectUri, params)) : html(status, page(fallbackTitle, `<p role="status">${escapeHtml(fallbackText)}</p>`));
  if (f.action === 'cancel') {
    return v2
      ? back(
          { error: 'consent_required', error_description: 'AADSTS65004: User declined to consent to access the app.', admin_consent: 'True', state: cr.state },
          'Consent cancelled',
          'AADSTS65004: User declined to consent to access the app.',
        )
      : back(
          { error: 'permission_denied', error_description: 'The admin canceled the request', state: cr.state },
          'Consent cancelled',
          'The admin canceled the request',
        );
  }
  const who = signInAdmin(core, cr, f.login ?? '', f.passwd ?? '');
  if ('error' in who) return html(200, consentPage(core, valid.app, cr, who.error, f.login ?? ''));
  if (!core.state.isAdmin(who.user)) {
    return back(
      { error: 'access_denied', error_description: NOT_ADMIN, state: cr.state },
      'Need admin approval',
      `${NOT_ADMIN} ${who.user.userPrincipalName} is not an administrator of ${who.tenant.displayName}. Ask a Global Administrator or Privileged Role Administrator to consent.`,
      403,
    );
  }
  grantAdminConsent(core, who.tenant, valid.app, v2 ? cr.scope : undefined);
  return back(
    { admin_consent: 'True', tenant: who.tenant.id, scope: v2 ? cr.scope : undefined, state: cr.state },
    'Permissions granted',
    `You granted ${valid.app.displayName} the permissions it requested in ${who.tenant.displayName}. You can close this window.`,
  );
}

export function registerPages(r: AreaRouter): void {
  r.get('/devicelogin', () => html(200, deviceLoginPage()));
  r.post('/devicelogin', (req) => {
    const f = form(req);
    const result = completeDeviceCode(req.core, f.otc ?? '', f.login ?? '', f.passwd ?? '', f.action === 'cancel');
    if (!result.ok) return html(200, deviceLoginPage(result.error, f));
    if (f.action === 'cancel') return html(200, page('Sign-in cancelled', '<p role="status">You cancelled the sign-in. You can close this window.</p>'));
    return html(200, page('You have signed in', '<p role="status">You have signed in to the application on your device. You may now close this window.</p>'));
  });

  for (const v2 of [false, true]) {
    const path = v2 ? '/:tenant/v2.0/adminconsent' : '/:tenant/adminconsent';
    r.get(path, (req) => {
      const cr = consentParams(req, v2);
      const valid = validateConsent(req.core, cr);
      if ('response' in valid) return valid.response;
      return html(200, consentPage(req.core, valid.app, cr));
    });
    r.post(path, (req) => consentPost(req, v2));
  }
}
