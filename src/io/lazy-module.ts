/**
 * A dependency loaded at its first use rather than at start-up. Every command's modules are
 * imported when the CLI starts, so a package imported at the top of a module costs every
 * process its load time: vega and vega-lite (reports) about 0.6 and 1 s, sharp (image
 * folders) 0.5 s, jstat (analysis) 0.2 s, where a training run needs none of them.
 * CommonJS packages only: `require` is synchronous, so the callers stay as they are.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(name) as T;
    return loaded;
  };
}
