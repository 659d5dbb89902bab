/** Runs the nnr CLI from TypeScript sources, for tests that need a separate process. */
import { main } from "../../src/cli/main.js";

main(process.argv).then((code) => {
  process.exitCode = code;
});
