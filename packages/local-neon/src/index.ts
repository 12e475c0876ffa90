/**
 * The local Neon endpoint: `startNeonEndpoint()` in front of a PostgreSQL you run, and
 * `loadEmbedded()` for one the package starts itself (see README.md).
 */
export { startNeonEndpoint } from './endpoint.ts';
export { findFreePort } from './free-port.ts';
export { loadEmbedded } from './load-embedded.ts';
export type {
  EndpointCounters,
  FaultSettings,
  NeonEndpoint,
  NeonEndpointOptions,
} from './types.ts';
