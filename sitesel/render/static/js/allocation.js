/* allocation: each location problem as a layer: chosen sites as numbered markers, demand
 * points in their site's colour (grey ringed in red where not covered). The first problem
 * shows: the answer the run gives. Sets S.allocationTitles for the legend. */

function sitesel_allocation(S) {
  const { el, t, count } = sitesel_format;
  const colours = SITESEL_PALETTE.allocation;
  const { data, map, control, renderer } = S;
  S.allocationTitles = [];
  (data.allocation || []).forEach((a, p) => {
    const group = L.layerGroup();
    const share = a.coverage_share === null || a.coverage_share === undefined
      ? "" : ", " + t("{pct}% of demand covered", { pct: Math.round(100 * a.coverage_share) });
    const title = t("Allocation: {name}", { name: a.name }) + " (" + a.problem.replace("_", "-") +
      ", k=" + a.k + (a.within_min ? ", T=" + a.within_min + " " + t("min") : "") + share + ")";
    a.demand.lonlat.forEach((ll, i) => {
      const s = a.demand.site[i];
      const covered = a.demand.covered[i];
      const colour = s >= 0 ? colours[s % colours.length] : "#9e9e9e";
      const dot = L.circleMarker([ll[1], ll[0]], {
        renderer: renderer, radius: 3 + Math.min(5, Math.log10(Math.max(a.demand.weight[i], 1))),
        color: covered ? "#fff" : "#b2182b", weight: covered ? 0.5 : 1.5,
        fillColor: covered ? colour : "#9e9e9e", fillOpacity: 0.9,
      });
      const minutes = a.demand.minutes[i] === null ? t("out of reach")
        : a.demand.minutes[i] + " " + t("min");
      dot.bindTooltip(el("span", null, (a.demand.name[i] || t("demand")) + ": " +
        count(a.demand.weight[i]) + ", " + minutes +
        (s >= 0 ? " " + t("to site {k} ({id})", { k: s + 1, id: a.ids[s] }) : "") +
        (covered ? "" : ", " + t("not covered"))));
      dot.addTo(group);
    });
    a.lonlat.forEach((ll, s) => {
      const icon = L.divIcon({ className: "sitesel-allocation", html: "", iconSize: null });
      const marker = L.marker([ll[1], ll[0]], { icon: icon, keyboard: false });
      marker.on("add", () => {
        const e = marker.getElement();
        e.textContent = String(s + 1);
        e.style.background = colours[s % colours.length];
      });
      const again = a.draws && a.chosen_share && a.chosen_share[s] !== null
        ? "; " + t("chosen again in {pct}% of {draws} weight draws",
          { pct: Math.round(100 * a.chosen_share[s]), draws: a.draws }) : "";
      marker.bindTooltip(el("span", null, t("{problem} site {k}", { problem: a.name, k: s + 1 }) +
        ": " + a.ids[s] + (a.places[s] ? ", " + a.places[s] : "") + again));
      marker.addTo(group);
    });
    if (p === 0) group.addTo(map);
    control.addOverlay(group, title);
    S.allocationTitles.push(title);
  });
}
