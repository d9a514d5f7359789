// `@sem/meter-protocol/testing`: the corpus's own reading of the expected.json files, for other workspaces' tests.
export { expectedReading, type ExpectedReading } from './dsmr/p1-expected.ts';
export { expectedMeterTime, expectedValues, optionsFor } from './han/han-expected.ts';
