// What every SEM process shares at start and stop.
export { ConfigError, deepFreeze, envBool, envInt, envSecret, parseEnv } from './env-config.ts';
export { waitForDatabase, type WaitForDatabaseOptions } from './wait-for-database.ts';
export { onShutdown, type ShutdownLog } from './graceful-shutdown.ts';
