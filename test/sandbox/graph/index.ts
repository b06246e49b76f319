// Microsoft Graph route modules. Each module is a `SandboxModule` with area 'graph'; add it to this list.
// See test/sandbox/README.md ("Adding routes").
import type { SandboxModule } from '../module';

export const graphModules: SandboxModule[] = [];
