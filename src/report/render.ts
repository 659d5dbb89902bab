import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** resvg has no system font lookup by default; DejaVu is what Debian's fonts-dejavu-core installs. */
const FONT_DIRS = ["/usr/share/fonts/truetype/dejavu"];

/** Renders a Vega-Lite spec to SVG on the server, with no canvas or browser. */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string): Uint8Array {
  const renderer = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: 2 },
    font: { fontDirs: FONT_DIRS, loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  });
  return renderer.render().asPng();
}
