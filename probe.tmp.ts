import { readdirSync } from 'node:fs';
import { summarizeProfile } from './bench/ingest/cpu-profile.summary.ts';
const dir = process.argv[2]!;
const f = readdirSync(dir).filter(f=>f.endsWith('.cpuprofile'))[0]!;
const s = summarizeProfile(dir+'/'+f, 40);
console.log(s.categories.map(([k,v])=>`${k} ${(v*100).toFixed(1)}`).join('\n'));
console.log('---');
console.log(s.top.map(([k,v])=>`${(v*100).toFixed(1)} ${k}`).join('\n'));
