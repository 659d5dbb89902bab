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

/** A number strictly between 0 and 1 (a momentum of running statistics). */
export function fractionBelowOne(flag: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!(value > 0 && value < 1))
      throw new UserError(`${flag} ${text}: expected a number in (0, 1)`);
    return value;
  };
}

/** A number from 0 to 1, both included. */
export function unitFraction(flag: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!(value >= 0 && value <= 1) || text.trim() === "")
      throw new UserError(`${flag} ${text}: expected a number from 0 to 1`);
    return value;
  };
}
