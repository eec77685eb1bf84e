/** `npm run synth`: the command of `src/cli/synth.ts` with the charts' renderer (`charts/app.ts`). */
import { renderAllObjects } from '../charts/app';
import { run } from '../src/cli/synth';

run(process.argv.slice(2), renderAllObjects);
