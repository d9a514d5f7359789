// `@sem/meter-protocol/testing`: the corpus's own reading of the expected.json files, and where the team's corpus
// (../shared/fixtures) is, for other workspaces' tests.
export { expectedReading, type ExpectedReading } from './dsmr/p1-expected.ts';
export { expectedMeterTime, expectedValues, optionsFor } from './han/han-expected.ts';
export { corpusAbsent, needsCorpus, SHARED_CORPUS, type CorpusPart } from './shared-corpus.ts';
// Frames built from published facts: encrypted P1 (Smarty) and the Danish Kamstrup lists.
export { smartyFrame, SMARTY_AK } from './dsmr/smarty-frame-builder.ts';
export { ctMeter, dsoExample } from './han/kamstrup-danish-lists.ts';
