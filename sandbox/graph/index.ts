// Microsoft Graph route modules. Each module is a `SandboxModule` with area 'graph'; add it to this list.
// See sandbox/README.md ("Adding routes").
import type { SandboxModule } from '../module';
import { applicationsModule } from './applications';
import { batchModule } from './batch';
import { directoryModule } from './directory';
import { servicePrincipalsModule } from './servicePrincipals';

export const graphModules: SandboxModule[] = [applicationsModule, directoryModule, servicePrincipalsModule, batchModule];
