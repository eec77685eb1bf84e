/** `npm run connectivity`: the command of `src/cli/connectivity.ts`. */
import { run } from '../src/cli/connectivity';

run(process.argv.slice(2));
