/** `npm run validate`: the command of `src/cli/validate.ts`. */
import { run } from '../src/cli/validate';

run(process.argv.slice(2));
