/* sitesel map: the interactive sites layer.
 *
 * Reads the run's data from a JSON <script> element, draws sites on a canvas renderer,
 * colours them by suitability (or one criterion's score), opens a site card on click,
 * and recomputes suitability and ranks in the browser when a weight slider moves. Each
 * concern is a module (sitesel.render.assets lists them in order); they share one state
 * object S, each adding its functions to it. */

function sitesel_init(map, control, dataId) {
  const data = JSON.parse(document.getElementById(dataId).textContent);
  sitesel_format.setMessages(data.messages);
  const { t, count } = sitesel_format;
  const C = data.criteria;
  const weighted = C.map((c, i) => i).filter((i) => C[i].weighted);
  const initial = {};
  weighted.forEach((i) => { initial[i] = C[i].weight; });
  const S = {
    map, control, data, weighted, initial,
    n: data.ids.length,
    weights: Object.assign({}, initial),
    suit: new Float64Array(data.ids.length),
    rank: data.rank.slice(),
    order: [],
    AGG: data.aggregation || { method: "weighted_sum" },
    // live: false when a big map left candidates out it cannot repaint: no re-ranking.
    live: data.live !== false,
    renderer: L.canvas({ padding: 0.5 }),
    labelOf: (i) => C[i].label || C[i].name,
  };
  sitesel_panel(S);
  sitesel_ranking(S);

  S.siteLayers = data.sites.map((parts, s) => {
    const rings = sitesel_format.decode(parts);
    const layer = L.polygon(rings.length === 1 ? rings[0] : rings.map((r) => [r]), {
      renderer: S.renderer, weight: 0.6, fillOpacity: 0.75, opacity: 0.9,
      bubblingMouseEvents: false, // a click on a site is not a click on the image below
    });
    layer.on("click", () => S.openCard(s));
    return layer;
  });
  S.sitesGroup = L.featureGroup(S.siteLayers).addTo(map);
  control.addOverlay(S.sitesGroup, t("Sites"));

  sitesel_image(S);
  sitesel_context_layers(S);
  sitesel_allocation(S);
  sitesel_badges(S);
  sitesel_card(S);
  sitesel_routes(S);
  sitesel_panels(S);
  sitesel_legend(S);
  sitesel_print(S);

  S.update = function update(useGivenRanks) {
    S.computeSuitability();
    S.computeOrder(useGivenRanks);
    S.showWeights();
    S.restyle();
    S.paintImage();
    S.redrawTop();
    if (S.popup.isOpen()) S.popup.close();
  };
  S.buildLegend();
  S.update(true);
  map.fitBounds(S.sitesGroup.getBounds());
  window.sitesel = sitesel_api(S);
  if (S.IMG) {
    S.loadImage().then(() => {
      S.paintImage();
      window.sitesel.ready = true;
    }).catch((err) => {
      S.imageNote.textContent = t("This browser could not draw the other {n} sites of the image" +
        " (it needs DecompressionStream: Chrome 80+, Firefox 113+, Safari 16.4+): {error}",
        { n: count(S.IMG.picks.count), error: err });
      console.error("sitesel: the sites' image could not be drawn: " + err);
    });
  }
}

// What tests and scripts read and drive: window.sitesel.
function sitesel_api(S) {
  const data = S.data;
  const siteOf = (id) => data.ids.indexOf(id);
  const screenPoint = (ll) => {
    const p = S.map.latLngToContainerPoint(ll);
    const box = S.map.getContainer().getBoundingClientRect();
    return { x: p.x + box.left, y: p.y + box.top };
  };
  return {
    ready: !S.IMG, // a big map is ready once its image is drawn
    sites: S.n,
    imageSuitability: S.imageSuitability,
    imageNote: () => (S.imageNote ? S.imageNote.textContent : ""),
    topIds: (k) => S.order.slice(0, k).map((s) => data.ids[s]),
    routesDrawn: S.routesDrawn,
    rerank: () => S.update(false),
    preparePrint: S.preparePrint,
    endPrint: S.endPrint,
    setWeights: (byName) => {
      S.weighted.forEach((i) => {
        if (sitesel_format.has(byName, data.criteria[i].name)) S.weights[i] = byName[data.criteria[i].name];
      });
      S.update(false);
    },
    pointOf: (id) => screenPoint(S.siteLayers[siteOf(id)].getBounds().getCenter()),
    screenPoint: (lat, lon) => screenPoint(L.latLng(lat, lon)),
    pickAt: S.pickAt,
    closeCard: () => { S.map.closePopup(); },
    utm: (lat, lon, zone, south) => sitesel_utm.project(lat, lon, zone, south),
    centre: (lat, lon) => { S.map.setView([lat, lon], S.map.getZoom(), { animate: false }); },
    focus: (id) => {
      S.map.fitBounds(S.siteLayers[siteOf(id)].getBounds(), { maxZoom: 15, animate: false });
    },
  };
}
