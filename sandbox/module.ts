// The plug-in shape of route modules (Entra, Graph, ARM, control, and extra modules tests pass in).
import type { SandboxCore } from './core';
import type { Area, AreaRouter } from './router';

export interface SandboxModule {
  /** For error messages and the info endpoint. */
  readonly name: string;
  /** The area whose routes `register` adds (paths are relative to the area root: `/v1.0/...` for Graph). */
  readonly area: Area;
  register(router: AreaRouter, core: SandboxCore): void;
}
