// jstat ships no type declarations; this covers the one distribution we use.
declare module "jstat" {
  const jstat: {
    jStat: { centralF: { cdf(x: number, df1: number, df2: number): number } };
  };
  export default jstat;
}
