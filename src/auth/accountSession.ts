// One signed-in account's working set: its Graph and ARM clients and what it caches (Microsoft
// Graph's permission list). AuthService hands out one per account and tenant and replaces it when
// either changes, so nothing of one account's clients or caches survives into another's.
// Plain Node: the tokens come from a function, the log is a callback.
import type { TokenCredential } from '@azure/core-auth';
import { ArmClient } from '../arm/armClient';
import { IdentityCredentialsClient } from '../arm/identityCredentials';
import type { Cloud } from '../domain/clouds';
import type { AppRole } from '../domain/graphPermissions';
import { GraphConnection } from '../graph/connection';
import type { GraphDirectory } from '../graph/directory';
import type { RequestLogger } from '../http/requestLog';
import { CredentialService } from '../services/credentialService';
import type { Access } from './scopes';

export interface SessionAccount {
  readonly label: string;
  readonly homeTenantId: string;
  readonly tenantId: string;
}

export interface AccountSessionOptions {
  readonly account: SessionAccount;
  readonly cloud: Cloud;
  readonly credential: (access: Access) => TokenCredential;
  readonly logger?: RequestLogger;
}

export class AccountSession {
  readonly account: SessionAccount;
  readonly cloud: Cloud;
  private readonly graph: GraphConnection;
  private armClient?: ArmClient;
  private identityCredentialsClient?: IdentityCredentialsClient;
  private service?: CredentialService;
  private graphRoles?: Promise<{ appRoles: AppRole[] }>;

  constructor(private readonly options: AccountSessionOptions) {
    this.account = options.account;
    this.cloud = options.cloud;
    this.graph = new GraphConnection({ cloud: options.cloud, credential: (access) => options.credential(access), logger: options.logger });
  }

  /** Microsoft Graph operations of this account, in the tenant it selected. */
  get directory(): GraphDirectory {
    return this.graph.directory;
  }

  get arm(): ArmClient {
    return (this.armClient ??= new ArmClient({ cloud: this.cloud, credential: this.options.credential('arm'), logger: this.options.logger }));
  }

  /** The federated credentials of user-assigned identities; one client per session, so writes to one identity queue behind each other. */
  get identityCredentials(): IdentityCredentialsClient {
    return (this.identityCredentialsClient ??= new IdentityCredentialsClient(this.arm));
  }

  /** The credential use cases over this account's directory. */
  get credentials(): CredentialService {
    return (this.service ??= new CredentialService(this.directory, this.cloud, () => this.account.tenantId));
  }

  /** Microsoft Graph's app roles in this tenant (to name permissions), read once; a failed read is tried again next time. */
  graphPermissions(): Promise<{ appRoles: AppRole[] }> {
    return (this.graphRoles ??= this.directory.servicePrincipals.microsoftGraph().catch((error: unknown) => {
      this.graphRoles = undefined;
      throw error;
    }));
  }
}
