// A signed-in connection to Microsoft Graph for one cloud and account: builds the read and write
// SDK clients on first use, so the Graph SDK loads with the first Graph call, not at activation.
import type { TokenCredential } from '@azure/core-auth';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Cloud } from '../domain/clouds';
import { GraphDirectory, type GraphClients } from './directory';
import type { RequestLogger } from '../http/requestLog';
import type { RetryPolicy } from '../http/retryPolicy';

export interface GraphConnectionOptions {
  readonly cloud: Cloud;
  readonly credential: (access: 'graphRead' | 'graphWrite') => TokenCredential;
  readonly logger?: RequestLogger;
  readonly retry?: RetryPolicy;
}

export class GraphConnection implements GraphClients {
  private reader?: Promise<Client>;
  private writer?: Promise<Client>;
  readonly directory = new GraphDirectory(this);

  constructor(private readonly options: GraphConnectionOptions) {}

  read(): Promise<Client> {
    return (this.reader ??= this.create('graphRead'));
  }

  write(): Promise<Client> {
    return (this.writer ??= this.create('graphWrite'));
  }

  private async create(access: 'graphRead' | 'graphWrite'): Promise<Client> {
    const { createGraphClient } = await import('./graphClient');
    const { cloud } = this.options;
    // The SDK asks the credential for these scopes; our credential maps them to the access kind.
    return createGraphClient({
      credential: this.options.credential(access),
      baseUrl: cloud.graphUrl,
      scopes: [`${cloud.graphUrl}/.default`],
      logger: this.options.logger,
      retry: this.options.retry,
    });
  }
}
