// Azure Resource Manager route modules. Each module is a `SandboxModule` with area 'arm'; add it to this list.
// See sandbox/README.md ("Adding routes").
import { requireArmToken } from '../auth';
import { guarded } from '../control';
import { armError } from '../errors';
import type { SandboxModule } from '../module';
import { json } from '../router';
import { automationModule } from './automation';
import { armSettings, isObject, registerOperationRoutes, setArmSettings } from './common';
import { identitiesModule } from './identities';
import { identityCredentialsModule } from './identityCredentials';
import { jobsModule } from './jobs';
import { managedClustersModule } from './managedClusters';
import { resourcesModule } from './resources';

export { armSettings, setArmSettings } from './common';
export type { ArmSettings } from './common';
export { jobSettings, setJobSettings, stopAllJobs } from './jobs';
export type { JobSettings } from './jobs';

/** Operation status / result URLs, ARM's answer for unknown resource types, and the ARM control knobs. */
const armPlumbing: SandboxModule = {
  name: 'arm-plumbing',
  area: 'arm',
  register(r, core) {
    registerOperationRoutes(r);
    r.notFound((req) => {
      // Paths outside ARM's resource namespace (/subscriptions, /tenants, /providers) are simply unknown.
      if (!/^\/(subscriptions|tenants|providers)(\/|$)/i.test(req.path)) {
        return armError(req, 404, 'NotFound', `No HTTP resource was found that matches the request URI '${req.baseUrl}${req.path}'.`);
      }
      const auth = requireArmToken(req);
      if ('response' in auth) return auth.response;
      if (!req.query.get('api-version'))
        return armError(req, 400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
      const m = /^\/subscriptions\/[^/]+(?:\/resourceGroups\/[^/]+)?\/providers\/([^/]+)\/(.+)$/i.exec(req.path);
      if (m) {
        // Type segments alternate with names: automationAccounts/{name}/jobs → automationAccounts/jobs.
        const type = (m[2] as string)
          .split('/')
          .filter((_, i) => i % 2 === 0)
          .join('/');
        return armError(
          req,
          404,
          'InvalidResourceType',
          `The resource type '${type}' could not be found in the namespace '${m[1]}' for api version '${req.query.get('api-version') ?? ''}'.`,
        );
      }
      return armError(req, 404, 'NotFound', `No HTTP resource was found that matches the request URI '${req.baseUrl}${req.path}'.`);
    });
    const control = core.router.for('control');
    control.get(
      '/arm/settings',
      guarded((req) => json(200, armSettings(req.core))),
    );
    control.post(
      '/arm/settings',
      guarded((req) => {
        if (!isObject(req.body)) return json(400, { error: 'bad_request', message: 'body must be a JSON object of ARM settings' });
        try {
          return json(200, setArmSettings(req.core, req.body));
        } catch (e) {
          return json(400, { error: 'bad_request', message: (e as Error).message });
        }
      }),
    );
  },
};

export const armModules: SandboxModule[] = [
  resourcesModule,
  identitiesModule,
  identityCredentialsModule,
  managedClustersModule,
  automationModule,
  jobsModule,
  armPlumbing,
];
