import type { TopLevelSpec } from "vega-lite";
import { lazyRequire } from "../io/lazy-module.js";

// Loaded when a chart is drawn, not by every command (io/lazy-module.ts).
const resvg = lazyRequire<typeof import("@resvg/resvg-js")>("@resvg/resvg-js");

/** resvg has no system font lookup by default; DejaVu is what Debian's fonts-dejavu-core installs. */
const FONT_DIRS = ["/usr/share/fonts/truetype/dejavu"];

/** Renders a Vega-Lite spec to SVG on the server, with no canvas or browser. */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string): Uint8Array {
  const renderer = new (resvg().Resvg)(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: 2 },
    font: { fontDirs: FONT_DIRS, loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  });
  return renderer.render().asPng();
}
