/* routes: the selected site's ways to the travel-time targets, as the run stored them
 * (the same lines as the dossier's), with km, minutes and the roads they use. Only the
 * selected site's are drawn. Adds to S: routesLayer, drawRoutes. */

function sitesel_routes(S) {
  const { el, decode, fmt, t } = sitesel_format;
  const colours = SITESEL_PALETTE.routes;
  const routesLayer = L.layerGroup().addTo(S.map);
  function drawRoutes(s, card) {
    routesLayer.clearLayers();
    const R = S.data.routes;
    if (!R || s === undefined) return;
    const box = el("div", "sitesel-card-routes");
    R.site.forEach((site, k) => {
      if (site !== s) return;
      const colour = colours[k % colours.length];
      const text = R.label[k] + ": " + fmt(R.km[k], 1) + " " + t("km") + ", " + fmt(R.minutes[k], 0) +
        " " + t("min");
      decode(R.lines[k]).forEach((part) => {
        L.polyline(part, { color: colour, weight: 4, opacity: 0.85, className: "sitesel-route" })
          .bindTooltip(el("span", null, text))
          .addTo(routesLayer);
      });
      box.appendChild(el("div", null, t("{route} by {roads}", { route: text, roads: R.roads[k] })));
    });
    if (box.childNodes.length) card.appendChild(box);
  }
  S.map.on("popupclose", () => routesLayer.clearLayers());
  // the routes drawn now, as [label, metres along the drawn lines]
  function routesDrawn() {
    return routesLayer.getLayers().map((l) => [
      l.getTooltip() ? l.getTooltip().getContent().textContent : "",
      l.getLatLngs().reduce((m, p, j, a) => (j ? m + S.map.distance(a[j - 1], p) : 0), 0),
    ]);
  }
  Object.assign(S, { routesLayer, drawRoutes, routesDrawn });
}
