// Federated identity credentials on user-assigned managed identities (Microsoft.ManagedIdentity/
// userAssignedIdentities/{name}/federatedIdentityCredentials): list, get, create or update (PUT), delete.
// Sources: azure-rest-api-specs specification/msi/resource-manager/Microsoft.ManagedIdentity stable/2023-01-31,
// stable/2024-11-30 (ManagedIdentity.json: FederatedIdentityCredentials_*; the name pattern
// `^[a-zA-Z0-9]{1}[a-zA-Z0-9-_]{2,119}$`), preview/2025-01-31-preview and 2025-05-31-preview (claimsMatchingExpression), stable/2026-04-30 and 2026-05-31; entra-docs
// workload-identity-federation-considerations.md (20 per identity, one audience, issuer and subject unique,
// "concurrent writes under the same managed identity … fail with 409-conflict").
import { setTimeout as sleep } from 'node:timers/promises';
import { armError } from '../errors';
import type { SandboxModule } from '../module';
import type { SandboxRequest, SandboxResponse } from '../router';
import type { UserAssignedIdentity } from '../state';
import { badRequest, isObject, isResponse, objectBody, ok, page, resourceNotFound } from './common';
import { identityItem } from './identities';

const IDENTITY = 'Microsoft.ManagedIdentity/userAssignedIdentities';
const TYPE = `${IDENTITY}/federatedIdentityCredentials`;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9-_]{2,119}$/;
const MAX_PER_IDENTITY = 20;
/** The previews whose credentials have claimsMatchingExpression (the stable versions have none). */
const FLEXIBLE_APIS: readonly string[] = ['2025-01-31-preview', '2025-05-31-preview'];

export interface IdentityCredential {
  readonly name: string;
  issuer: string;
  subject: string | null;
  audiences: string[];
  claimsMatchingExpression: { value: string; languageVersion: number } | null;
}

/** Credentials per identity (an identity removed and created again starts with none). */
const credentialsOf = new WeakMap<UserAssignedIdentity, IdentityCredential[]>();
/** Identities with a credential write under way: another write meanwhile answers 409. */
const writing = new WeakSet<UserAssignedIdentity>();

export function identityCredentials(uami: UserAssignedIdentity): IdentityCredential[] {
  let list = credentialsOf.get(uami);
  if (!list) {
    list = [];
    credentialsOf.set(uami, list);
  }
  return list;
}

function body(uami: UserAssignedIdentity, c: IdentityCredential, version: string): Record<string, unknown> {
  return {
    id: `${uami.id}/federatedIdentityCredentials/${c.name}`,
    name: c.name,
    type: TYPE,
    properties: {
      issuer: c.issuer,
      subject: c.subject,
      audiences: [...c.audiences],
      ...(FLEXIBLE_APIS.includes(version) ? { claimsMatchingExpression: c.claimsMatchingExpression } : {}),
    },
  };
}

/** The identity of a credential route, after authentication and RBAC; 404 when it does not exist. */
function identityOf(req: SandboxRequest, access: 'read' | 'write'): { uami: UserAssignedIdentity; version: string } | SandboxResponse {
  const found = identityItem(req, access, `${TYPE}/${access}`, 'identityFederatedCredentials');
  if (isResponse(found)) return found;
  return found.uami ? { uami: found.uami, version: found.version } : resourceNotFound(req, IDENTITY, req.params.name ?? '', found.rg);
}

/** The values of a PUT body, checked as ARM checks them; `undefined` fields keep the current value. */
function readValues(req: SandboxRequest, version: string): Omit<IdentityCredential, 'name'> | SandboxResponse {
  const b = objectBody(req);
  if (isResponse(b)) return b;
  const p = b.properties;
  if (!isObject(p)) return badRequest(req, "The 'properties' property is required.");
  const flexible = FLEXIBLE_APIS.includes(version) && p.claimsMatchingExpression !== undefined && p.claimsMatchingExpression !== null;
  if (typeof p.issuer !== 'string' || !/^https:\/\/\S+$/.test(p.issuer)) {
    return badRequest(req, "The 'properties.issuer' property is required and must be an https URL.", 'InvalidIssuer');
  }
  if (p.issuer.length > 600) return badRequest(req, 'The issuer must be at most 600 characters.', 'InvalidIssuer');
  if (!Array.isArray(p.audiences) || p.audiences.length !== 1 || typeof p.audiences[0] !== 'string' || p.audiences[0].trim() === '') {
    return badRequest(req, 'A federated identity credential must have exactly one audience.', 'InvalidAudience');
  }
  if (flexible) {
    const e = p.claimsMatchingExpression;
    if (p.subject !== undefined && p.subject !== null)
      return badRequest(req, "Only one of 'subject' and 'claimsMatchingExpression' may be set.", 'InvalidSubject');
    if (!isObject(e) || typeof e.value !== 'string' || e.value.trim() === '' || e.languageVersion !== 1) {
      return badRequest(req, '\'claimsMatchingExpression\' must be {"value": "…", "languageVersion": 1}.', 'InvalidClaimsMatchingExpression');
    }
    return { issuer: p.issuer, subject: null, audiences: [p.audiences[0]], claimsMatchingExpression: { value: e.value, languageVersion: 1 } };
  }
  if (p.claimsMatchingExpression !== undefined && !FLEXIBLE_APIS.includes(version)) {
    return badRequest(
      req,
      `Could not find member 'claimsMatchingExpression' on object of type 'FederatedIdentityCredentialProperties' in api-version '${version}'.`,
    );
  }
  if (typeof p.subject !== 'string' || p.subject.trim() === '') return badRequest(req, "The 'properties.subject' property is required.", 'InvalidSubject');
  if (p.subject.length > 600) return badRequest(req, 'The subject must be at most 600 characters.', 'InvalidSubject');
  return { issuer: p.issuer, subject: p.subject, audiences: [p.audiences[0]], claimsMatchingExpression: null };
}

function concurrentWrite(req: SandboxRequest, uami: UserAssignedIdentity): SandboxResponse {
  return armError(
    req,
    409,
    'ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity',
    `Too many Federated Identity Credentials are written concurrently for the managed identity '${uami.id}'. Concurrent Federated Identity Credentials writes under the same managed identity are not supported.`,
  );
}

async function putCredential(req: SandboxRequest): Promise<SandboxResponse> {
  const found = identityOf(req, 'write');
  if (isResponse(found)) return found;
  const { uami, version } = found;
  const name = req.params.fic ?? '';
  if (!NAME.test(name)) {
    return badRequest(
      req,
      `The federated identity credential name '${name}' is invalid. It has 3 to 120 characters: letters, digits, '-' and '_', starting with a letter or digit.`,
      'InvalidFederatedIdentityCredentialName',
    );
  }
  const values = readValues(req, version);
  if (isResponse(values)) return values;
  // One write per identity at a time, as Azure serialises them: a second one meanwhile is refused.
  if (writing.has(uami)) return concurrentWrite(req, uami);
  const list = identityCredentials(uami);
  const existing = list.find((c) => c.name.toLowerCase() === name.toLowerCase());
  if (!existing && list.length >= MAX_PER_IDENTITY) {
    return badRequest(
      req,
      `The managed identity '${uami.name}' already has ${MAX_PER_IDENTITY} federated identity credentials, the most it can have.`,
      'FederatedIdentityCredentialsLimitExceeded',
    );
  }
  const clash = list.find(
    (c) =>
      c !== existing &&
      c.issuer === values.issuer &&
      (values.claimsMatchingExpression ? c.claimsMatchingExpression?.value === values.claimsMatchingExpression.value : c.subject === values.subject),
  );
  if (clash) {
    return armError(
      req,
      409,
      'FederatedIdentityCredentialAlreadyExists',
      `The federated identity credential '${clash.name}' of '${uami.name}' already has the issuer '${values.issuer}' and this subject; an issuer and subject pair may be used once per managed identity.`,
    );
  }
  writing.add(uami);
  try {
    await sleep(req.core.consistency.identityCredentialWriteMs);
  } finally {
    writing.delete(uami);
  }
  // The identity may have been deleted (or the sandbox reset) while the write was under way.
  if (req.core.state.findUserAssignedIdentity(uami.id) !== uami) return resourceNotFound(req, IDENTITY, uami.name, uami.resourceGroup);
  if (existing) {
    Object.assign(existing, values);
    req.core.recordWrite(existing);
    return ok(req, 200, body(uami, existing, version));
  }
  const created: IdentityCredential = { name, ...values };
  list.push(created);
  req.core.recordWrite(created);
  return ok(req, 201, body(uami, created, version));
}

const BASE = '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/:name/federatedIdentityCredentials';

export const identityCredentialsModule: SandboxModule = {
  name: 'arm-identity-credentials',
  area: 'arm',
  register(r) {
    r.get(BASE, (req) => {
      const found = identityOf(req, 'read');
      if (isResponse(found)) return found;
      const items = identityCredentials(found.uami).map((c) => body(found.uami, c, found.version));
      const listed = page(req, items);
      return isResponse(listed) ? listed : ok(req, 200, listed);
    });
    r.get(`${BASE}/:fic`, (req) => {
      const found = identityOf(req, 'read');
      if (isResponse(found)) return found;
      const c = identityCredentials(found.uami).find((x) => x.name.toLowerCase() === (req.params.fic ?? '').toLowerCase());
      return c ? ok(req, 200, body(found.uami, c, found.version)) : resourceNotFound(req, TYPE, req.params.fic ?? '', found.uami.resourceGroup);
    });
    r.put(`${BASE}/:fic`, putCredential);
    r.delete(`${BASE}/:fic`, (req) => {
      const found = identityOf(req, 'write');
      if (isResponse(found)) return found;
      // A delete is a write too: refused while another write to the identity is under way.
      if (writing.has(found.uami)) return concurrentWrite(req, found.uami);
      const list = identityCredentials(found.uami);
      const index = list.findIndex((x) => x.name.toLowerCase() === (req.params.fic ?? '').toLowerCase());
      if (index < 0) return ok(req, 204, undefined);
      list.splice(index, 1);
      return ok(req, 200, undefined);
    });
  },
};
