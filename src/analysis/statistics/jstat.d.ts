// jstat ships no type declarations; this covers the distributions we use.
declare module "jstat" {
  interface Continuous1 {
    cdf(x: number, df: number): number;
    inv(p: number, df: number): number;
  }
  const jstat: {
    jStat: {
      centralF: {
        cdf(x: number, df1: number, df2: number): number;
        inv(p: number, df1: number, df2: number): number;
      };
      chisquare: Continuous1;
      studentt: Continuous1;
      normal: { inv(p: number, mean: number, std: number): number };
    };
  };
  export default jstat;
}
