export { createTestDatabase, testDbPrefix, testServer, workerId, type TestDatabase, type TestDatabaseOptions } from './test-database.ts';
export { chooseTestServer, testDbMode, testEnv, type ChosenServer, type TestDbMode } from './test-server.ts';
export { containerEngineReason, execInContainer, removeRunContainers, runContainerIds, startRunContainer } from './test-containers.ts';
export { childRunEnv, dbConnectionEnv } from './child-env.ts';
export { TEST_RUN_ENV, TEST_RUN_LABEL, type BrokerChoice, type ProvidedBrokerHost, type ProvidedMariadb } from './provided-context.ts';
