/** Flag value parsers that fail with one line naming the flag and what it takes. */
import { UserError } from "../../errors.js";

export function integerAtLeast(
  flag: string,
  minimum: number,
  expected = `an integer ≥ ${minimum}`,
) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < minimum) {
      throw new UserError(`${flag} ${text}: expected ${expected}`);
    }
    return value;
  };
}

export const positiveInteger = (flag: string) => integerAtLeast(flag, 1, "a positive integer");
export const nonNegativeInteger = (flag: string) => integerAtLeast(flag, 0);

export function positiveNumber(flag: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!(value > 0) || !Number.isFinite(value))
      throw new UserError(`${flag} ${text}: expected a positive number`);
    return value;
  };
}

export function nonNegativeNumber(flag: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!(value >= 0) || !Number.isFinite(value))
      throw new UserError(`${flag} ${text}: expected a number ≥ 0`);
    return value;
  };
}

export function oneOf<T extends string>(flag: string, choices: readonly T[]) {
  return (text: string): T => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new UserError(`${flag} ${text}: expected one of ${choices.join(", ")}`);
    }
    return text as T;
  };
}

export function integerList(flag: string) {
  return (text: string): number[] =>
    text.split(",").map((part) => positiveInteger(flag)(part.trim()));
}
