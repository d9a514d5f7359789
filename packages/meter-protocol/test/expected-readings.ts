// `@sem/meter-protocol/testing`: the corpus's own reading of the expected.json files, and where the team's corpus
// (../shared/fixtures) is, for other workspaces' tests.
export { expectedReading, type ExpectedReading } from './dsmr/p1-expected.ts';
export { expectedMeterTime, expectedValues, optionsFor } from './han/han-expected.ts';
export { corpusAbsent, needsCorpus, SHARED_CORPUS, type CorpusPart } from './shared-corpus.ts';
