// Azure Resource Manager route modules. Each module is a `SandboxModule` with area 'arm'; add it to this list.
// See test/sandbox/README.md ("Adding routes").
import type { SandboxModule } from '../module';

export const armModules: SandboxModule[] = [];
