// Runs the ecgssl CLI from the TypeScript sources in a child process (tests that kill or signal a real process).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
