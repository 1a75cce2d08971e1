/* legend and classes: the fixed suitability (or score) classes, the sites' colours, and the
 * legend panel with its "Colour by" choice. A slider recolours sites, never the legend
 * (sitesel.render.classes). Adds to S: classOf, colourOf, restyle, buildLegend. */

function sitesel_legend(S) {
  const { el, fmt, t } = sitesel_format;
  const P = SITESEL_PALETTE;
  const data = S.data;
  S.colourBy = -1; // -1: suitability; otherwise a criterion index
  S.classes = data.classes.suitability;
  let legendBody = null;

  function classOf(x, by) {
    const e = (by || S.classes).edges;
    let k = 0;
    while (k < e.length - 2 && x >= e[k + 1]) k++;
    return k;
  }
  function valueOf(s) {
    if (S.colourBy < 0) return S.suit[s];
    const v = data.score[S.colourBy][s];
    return v === null ? NaN : v;
  }
  function colourOf(s) {
    const v = valueOf(s);
    return data.excluded[s] || !Number.isFinite(v) ? P.excluded : S.classes.colours[classOf(v)];
  }
  function restyle() {
    for (let s = 0; s < S.n; s++) {
      const colour = colourOf(s);
      S.siteLayers[s].setStyle({
        fillColor: colour, color: colour, fillOpacity: colour === P.excluded ? 0.3 : 0.75,
      });
    }
  }
  function row(swatchClass, colour, text, swatchText) {
    const r = el("div", "sitesel-legend-row");
    const sw = el("span", swatchClass, swatchText);
    sw.style.background = colour;
    r.appendChild(sw);
    r.appendChild(el("span", null, text));
    legendBody.appendChild(r);
    return sw;
  }
  function buildLegend() {
    legendBody.replaceChildren();
    const e = S.classes.edges;
    for (let k = S.classes.colours.length - 1; k >= 0; k--) {
      row("sitesel-swatch", S.classes.colours[k], fmt(e[k], 1) + " \u2013 " + fmt(e[k + 1], 1));
    }
    row("sitesel-swatch", P.excluded, t("excluded"));
    S.zoneTitles.forEach((title) => {
      const style = Object.values(P.zones).find((z) => z.title === title);
      const sw = row("sitesel-swatch sitesel-zone-swatch", style.colour,
        t("{layer} (layer)", { layer: t(title).toLowerCase() }));
      sw.style.opacity = String(Math.max(0.35, style.fill * 2));
    });
    S.allocationTitles.forEach((title) => {
      row("sitesel-allocation sitesel-allocation-swatch", P.allocation[0],
        title.split(": ").slice(1).join(": "), "1");
    });
    if (data.roads) {
      const present = new Set(data.roads.class);
      const main = Object.keys(P.roads).filter((c) => present.has(c));
      main.concat(present.size > main.length ? ["other"] : []).forEach((c) => {
        const line = row("sitesel-road-swatch", c === "other" ? P.other_road : P.roads[c],
          c === "other" ? t("other roads") : t("{class} road", { class: c }));
        line.style.height = c === "other" ? "2px" : "4px";
      });
    }
  }
  S.panel("bottomright", "sitesel-legend", (div) => {
    const label = el("label", null, t("Colour by") + " ");
    const select = el("select");
    select.id = "sitesel-colour-by";
    const opt = el("option", null, t("suitability"));
    opt.value = "-1";
    select.appendChild(opt);
    S.weighted.forEach((i) => {
      const o = el("option", null, t("score: {criterion}", { criterion: S.labelOf(i) }));
      o.value = String(i);
      select.appendChild(o);
    });
    select.addEventListener("change", () => {
      S.colourBy = Number(select.value);
      S.classes = S.colourBy < 0 ? data.classes.suitability : data.classes.score;
      buildLegend();
      restyle();
    });
    label.appendChild(select);
    div.appendChild(label);
    legendBody = el("div");
    div.appendChild(legendBody);
  });
  Object.assign(S, { classOf, colourOf, restyle, buildLegend });
}
