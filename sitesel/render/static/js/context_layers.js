/* context layers: the study area, roads, travel-time targets, towns, land zones and road
 * repairs, each a layer of the switcher. Sets S.zoneTitles for the legend. */

function sitesel_context_layers(S) {
  const { el, decode, has, t, count } = sitesel_format;
  const P = SITESEL_PALETTE;
  const { data, map, control, renderer } = S;

  if (data.area && data.area.length) {
    const outline = L.layerGroup();
    data.area.forEach((parts) => decode(parts).forEach((ring) => {
      L.polygon(ring, { renderer: renderer, fill: false, color: "#000", weight: 2, dashArray: "6" })
        .addTo(outline);
    }));
    outline.addTo(map);
    control.addOverlay(outline, t("Study area"));
  }

  if (data.roads) {
    const roads = L.layerGroup();
    data.roads.lines.forEach((parts, k) => {
      const cls = data.roads.class[k];
      const main = has(P.roads, cls);
      const line = L.polyline(decode(parts), {
        renderer: renderer, color: main ? P.roads[cls] : P.other_road, weight: main ? 3 : 1.5,
        opacity: 0.85,
      });
      const tip = el("span", null, (data.roads.name[k] ? data.roads.name[k] + " " : "") + "(" + cls + ")");
      line.bindTooltip(tip, { sticky: true });
      line.addTo(roads);
    });
    roads.addTo(map);
    control.addOverlay(roads, t("Roads"));
  }

  const townNames = new Set(data.places ? data.places.name : []);
  if (data.targets) {
    const groups = {};
    const many = new Set(data.targets.many || []);
    data.targets.criterion.forEach((crit, k) => {
      if (!groups[crit]) groups[crit] = L.layerGroup();
      const idx = Object.keys(groups).indexOf(crit);
      const colour = P.routes[idx % P.routes.length];
      const ll = data.targets.lonlat[k];
      const few = !many.has(crit);
      const labelled = few && !townNames.has(data.targets.name[k]);
      const marker = L.circleMarker([ll[1], ll[0]], {
        renderer: renderer, radius: few ? 7 : 3, color: "#fff", weight: few ? 2 : 1,
        fillColor: colour, fillOpacity: 1,
      });
      const name = data.targets.name[k] || crit;
      marker.bindTooltip(el("span", null, labelled ? name : name + " (" + data.targets.label[k] + ")"), {
        permanent: labelled, direction: "right", className: labelled ? "sitesel-target-label" : "",
      });
      marker.addTo(groups[crit]);
    });
    Object.keys(groups).forEach((crit) => {
      const k = data.targets.criterion.indexOf(crit);
      if (!many.has(crit)) groups[crit].addTo(map); // many (habitations): off by default
      control.addOverlay(groups[crit], t("Targets: {label}", { label: data.targets.label[k] }));
    });
  }

  if (data.places) {
    const towns = L.layerGroup();
    data.places.name.forEach((name, k) => {
      const ll = data.places.lonlat[k];
      const pop = data.places.population[k];
      const size = Math.max(10, Math.min(17, 9 + 2 * Math.log10(Math.max(pop, 1000) / 300)));
      const icon = L.divIcon({ className: "sitesel-town", html: "", iconSize: null });
      const marker = L.marker([ll[1], ll[0]], { icon: icon, keyboard: false, interactive: false });
      marker.on("add", () => {
        const e = marker.getElement();
        e.textContent = name;
        e.style.fontSize = size.toFixed(1) + "px";
        e.title = name + (pop > 0 ? ", " + t("{n} people", { n: count(pop) }) : "");
      });
      marker.addTo(towns);
    });
    towns.addTo(map);
    control.addOverlay(towns, t("Towns (GeoNames)"));
  }

  S.zoneTitles = [];
  if (data.taken) {
    // Constraints and land rules: excluded land, flagged zones, the land bank (P.zones).
    const groups = {};
    data.taken.polys.forEach((parts, k) => {
      const action = (data.taken.action || [])[k] || "exclude";
      const style = P.zones[action] || P.zones.exclude;
      const rings = decode(parts);
      const zone = L.polygon(rings.length === 1 ? rings[0] : rings.map((r) => [r]), {
        renderer: renderer, color: style.colour, weight: 1, fillColor: style.colour,
        fillOpacity: style.fill, dashArray: style.dash,
      });
      zone.bindTooltip(el("span", null, t(style.title) + ": " + data.taken.reason[k]), { sticky: true });
      if (!groups[style.title]) groups[style.title] = L.layerGroup();
      zone.addTo(groups[style.title]);
    });
    Object.keys(groups).forEach((title) => control.addOverlay(groups[title], t(title)));
    S.zoneTitles = Object.keys(groups);
  }

  if (data.repairs) {
    const repairs = L.layerGroup();
    data.repairs.lonlat.forEach((ll, k) => {
      const marker = L.circleMarker([ll[1], ll[0]], {
        renderer: renderer, radius: 5, color: "#000", weight: 1.5, fillColor: "#ffd700",
        fillOpacity: 1,
      });
      marker.bindTooltip(el("span", null, t("Road repair") + ": " + data.repairs.text[k]));
      marker.addTo(repairs);
    });
    control.addOverlay(repairs, t("Road repairs ({n})", { n: data.repairs.lonlat.length }));
  }
}
