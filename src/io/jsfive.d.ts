// jsfive ships no type declarations; this covers the reading we do.
declare module "jsfive" {
  type Attributes = Record<string, unknown>;
  export class Dataset {
    readonly shape: number[];
    readonly dtype: unknown;
    readonly value: ArrayLike<number | bigint>;
    readonly attrs: Attributes;
  }
  export class Group {
    readonly keys: string[];
    readonly attrs: Attributes;
    get(path: string): Group | Dataset | null | undefined;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename: string);
  }
}
