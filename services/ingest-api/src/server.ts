// Entry point: parse config, then serve, alone or as SEM_API_PROCESSES processes on the same ports (node:cluster).
import cluster from 'node:cluster';
import { loadConfigOrExit } from './config.ts';
import { serveApi } from './serve-api.ts';
import { apiProcessIndex, superviseApiProcesses } from './processes/api-processes.ts';

const config = loadConfigOrExit(process.env);

if (config.apiProcesses > 1 && cluster.isPrimary) superviseApiProcesses(config.apiProcesses);
else await serveApi(config, apiProcessIndex());
