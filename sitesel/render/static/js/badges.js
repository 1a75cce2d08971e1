/* rank badges: the top sites' ranks on the map, never overlapping: badges whose boxes
 * touch merge ("1·4") until none do. Adds to S: placeBadges, highlight. */

function sitesel_badges(S) {
  const rankMarkers = L.layerGroup().addTo(S.map);
  S.control.addOverlay(rankMarkers, sitesel_format.t("Top {n} ranks", { n: S.data.top_n }));
  function badgeWidth(ranks) { return Math.max(22, 8 + 7 * ranks.join("\u00b7").length); }
  function overlap(a, b) {
    const wa = badgeWidth(a.ranks) / 2 + 2;
    const wb = badgeWidth(b.ranks) / 2 + 2;
    return Math.abs(a.p.x - b.p.x) < wa + wb && Math.abs(a.p.y - b.p.y) < 26;
  }
  function merged(badges) {
    for (let a = 0; a < badges.length; a++) {
      for (let b = a + 1; b < badges.length; b++) {
        if (overlap(badges[a], badges[b])) {
          badges[a].ranks = badges[a].ranks.concat(badges[b].ranks).sort((x, y) => x - y);
          badges[a].sites = badges[a].sites.concat(badges[b].sites);
          return badges.filter((_, k) => k !== b);
        }
      }
    }
    return null;
  }
  function placeBadges() {
    rankMarkers.clearLayers();
    let badges = S.order.slice(0, S.data.top_n).map((s, k) => {
      const ll = S.siteLayers[s].getBounds().getCenter();
      return { p: S.map.latLngToLayerPoint(ll), ll: ll, ranks: [k + 1], sites: [s] };
    });
    for (let next = merged(badges); next; next = merged(badges)) badges = next;
    badges.forEach((b) => {
      const text = b.ranks.join("\u00b7");
      const icon = L.divIcon({ className: "sitesel-rank", html: "", iconSize: [badgeWidth(b.ranks), 22] });
      const marker = L.marker(b.ll, { icon: icon, keyboard: false });
      marker.on("add", () => { marker.getElement().textContent = text; });
      marker.on("click", () => S.openCard(b.sites[0]));
      marker.addTo(rankMarkers);
    });
  }
  function highlight(s, on) {
    S.siteLayers[s].setStyle(on ? { weight: 3, color: "#000" } : { weight: 0.6, color: S.colourOf(s) });
  }
  S.map.on("zoomend", () => placeBadges());
  Object.assign(S, { placeBadges, highlight });
}
