/** `npm run promote`: the command of `src/cli/promote.ts` with the charts' renderer (`charts/app.ts`). */
import { renderAllObjects } from '../charts/app';
import { run } from '../src/cli/promote';

run(process.argv.slice(2), renderAllObjects);
