/** `npm run diff`: the command of `src/cli/diff.ts` with the charts' renderer (`charts/app.ts`). */
import { renderAllObjects } from '../charts/app';
import { run } from '../src/cli/diff';

run(process.argv.slice(2), renderAllObjects);
