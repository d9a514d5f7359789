/** Test helpers for SEM processes (not used at run time). */
export { freePort } from './free-port.ts';
export { stopWhileWaitingForDatabase, type StopOutcome } from './stop-while-waiting.ts';
