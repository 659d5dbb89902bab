import { native } from "./native.js";

/** Runs fn with gradient tracking off (like torch.no_grad()); synchronous only. */
export function noGrad<T>(fn: () => T): T {
  return withGradEnabled(false, fn);
}

/** Runs fn with gradient tracking on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  return withGradEnabled(true, fn);
}

function withGradEnabled<T>(enabled: boolean, fn: () => T): T {
  const previous = native.gradEnabled();
  native.setGradEnabled(enabled);
  try {
    const result = fn();
    if (result instanceof Promise) {
      throw new Error("noGrad/enableGrad cannot span an await: pass a synchronous callback");
    }
    return result;
  } finally {
    native.setGradEnabled(previous);
  }
}

export function isGradEnabled(): boolean {
  return native.gradEnabled();
}
