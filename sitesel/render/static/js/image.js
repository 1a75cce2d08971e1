/* the big map's image layer: above map.max_vector_sites the sites not drawn as shapes are
 * an image. Its index raster says which site covers each pixel (live_image.py):
 * the live candidates first, repainted as the weights move (each one's terms combined by
 * the method's kernel), then the others (excluded, or candidates the page cannot
 * recolour: drawn by sitesel in a static image below). A click on any of them opens its
 * card from the picks (image_picks.py). Adds to S: paintImage, loadImage,
 * imageSuit, pickAt. */

function sitesel_image(S) {
  const { inflate, dequantise, t, count } = sitesel_format;
  const IMG = S.data.image || null;
  const L_SITES = IMG ? IMG.sites : 0; // the live candidates: image sites 0 ... L_SITES - 1
  const imageSuit = new Float64Array(L_SITES);
  let index = null;
  let terms = null;
  let canvas = null;
  let picks = null;
  let byId = null; // id -> position in the picks, when excluded hexagons are found by lattice
  const CanvasOverlay = L.ImageOverlay.extend({
    _initImage: function () { // a canvas where ImageOverlay would put an <img>
      const img = (this._image = this._url);
      L.DomUtil.addClass(img, "leaflet-image-layer");
      if (this._zoomAnimated) L.DomUtil.addClass(img, "leaflet-zoom-animated");
      img.style.imageRendering = "pixelated";
      this._updateOpacity();
      this._updateZIndex();
    },
  });
  async function decodeIds(ids) {
    if (ids.json !== undefined) return JSON.parse(new TextDecoder().decode(await inflate(ids.json)));
    const col = new Int32Array(await inflate(ids.col));
    const row = new Int32Array(await inflate(ids.row));
    const out = new Array(col.length);
    let c = 0;
    let r = 0;
    for (let j = 0; j < col.length; j++) {
      c += col[j];
      r += row[j];
      out[j] = "H" + c + "_" + r;
    }
    return out;
  }
  async function decodePicks(P) {
    const maybe = (t) => (t ? dequantise(t) : Promise.resolve(null));
    return {
      ids: await decodeIds(P.ids),
      reasons: P.reason.u,
      code: new Uint32Array(await inflate(P.reason.code)),
      area_ha: await dequantise(P.area_ha),
      suitability: await dequantise(P.suitability),
      raw: await Promise.all(P.raw.map(maybe)),
      score: P.score === "terms" ? null : await Promise.all(P.score.map(maybe)),
    };
  }
  async function loadImage() {
    index = new Uint32Array(await inflate(IMG.index));
    terms = await Promise.all(IMG.terms.map(dequantise));
    picks = await decodePicks(IMG.picks);
    if (IMG.picks.lattice) {
      picks.lattice = IMG.picks.lattice;
      byId = new Map(picks.ids.map((id, j) => [id, j]));
    }
    if (L_SITES === 0) return;
    canvas = document.createElement("canvas");
    canvas.width = IMG.width;
    canvas.height = IMG.height;
    const layer = new CanvasOverlay(canvas, [IMG.south_west, IMG.north_east], { zIndex: 3 });
    layer.addTo(S.map);
    S.control.addOverlay(layer, t("Other candidates ({n}, suitability)", { n: count(L_SITES) }));
  }
  function rgbaWord(hex) { // "#rrggbb" at 75 % opacity, as a little-endian RGBA pixel
    const v = parseInt(hex.slice(1), 16);
    return ((191 << 24) | ((v & 0xff) << 16) | (v & 0xff00) | (v >> 16)) >>> 0;
  }
  function paintImage() {
    if (!canvas) return;
    const kernel = S.KERNELS[S.AGG.method];
    const w = S.normalisedWeights();
    const z = new Array(terms.length);
    for (let j = 0; j < L_SITES; j++) {
      for (let k = 0; k < z.length; k++) z[k] = terms[k][j];
      imageSuit[j] = kernel(z, w);
    }
    const by = S.data.classes.suitability;
    const colours = by.colours.map(rgbaWord);
    const lut = new Uint32Array(IMG.picks.count + 1); // the other sites: transparent
    for (let j = 0; j < L_SITES; j++) {
      if (Number.isFinite(imageSuit[j])) lut[j + 1] = colours[S.classOf(imageSuit[j], by)];
    }
    const ctx = canvas.getContext("2d");
    const pixels = ctx.createImageData(IMG.width, IMG.height);
    const words = new Uint32Array(pixels.data.buffer);
    for (let p = 0; p < words.length; p++) words[p] = lut[index[p]];
    ctx.putImageData(pixels, 0, 0);
    // Ranks are among the vector sites: say when image sites now outscore the last of them.
    const last = S.order.length ? S.suit[S.order[S.order.length - 1]] : -Infinity;
    let above = 0;
    for (let j = 0; j < L_SITES; j++) if (imageSuit[j] > last + 1e-4) above++;
    S.imageNote.textContent = above === 0 ? "" : t("{above} of the {n} candidates in the image" +
      " now score above the last of the {drawn} drawn as sites: ranks here are among those;" +
      " copy the weights to the config and rerun for the full ranking",
      { above: count(above), n: count(L_SITES), drawn: count(S.order.length) });
  }
  // The image site under a point (its position in the picks), or -1: a candidate by the
  // index raster, an excluded hexagon by lattice arithmetic (picks.lattice).
  function pickAt(latlng) {
    if (!index) return -1;
    const crs = L.CRS.EPSG3857;
    const p = crs.project(latlng);
    const sw = crs.project(L.latLng(IMG.south_west));
    const ne = crs.project(L.latLng(IMG.north_east));
    const col = Math.floor((p.x - sw.x) / (ne.x - sw.x) * IMG.width);
    const row = Math.floor((ne.y - p.y) / (ne.y - sw.y) * IMG.height);
    const inside = col >= 0 && row >= 0 && col < IMG.width && row < IMG.height;
    const j = inside ? index[row * IMG.width + col] - 1 : -1;
    if (j >= 0 || !byId) return j;
    const g = picks.lattice;
    const xy = sitesel_utm.project(latlng.lat, latlng.lng, g.zone, g.south);
    const found = byId.get(sitesel_utm.hexagonAt(xy[0], xy[1], g.side));
    return found === undefined ? -1 : found;
  }
  function suitabilityOf(j) {
    return j < L_SITES && S.live ? imageSuit[j] : picks.suitability[j];
  }
  function rankOf(x) { // among every candidate: the vector sites and the image's
    let above = 0;
    let total = S.order.length;
    S.order.forEach((s) => { if (S.suit[s] > x) above++; });
    for (let j = 0; j < picks.ids.length; j++) {
      if (picks.code[j] !== 0) continue;
      total++;
      if (suitabilityOf(j) > x) above++;
    }
    return { rank: above + 1, of: total };
  }
  function scoreOf(i, j) { // criterion i's score of image site j
    if (picks.score) return picks.score[i] ? picks.score[i][j] : NaN;
    const k = S.weighted.indexOf(i); // the live terms are the scores, in weighted order
    return k >= 0 && j < L_SITES ? terms[k][j] : NaN;
  }
  function openImageCard(j, latlng) {
    const x = suitabilityOf(j);
    const r = rankOf(x);
    S.showCard({
      id: picks.ids[j],
      place: "",
      rankText: t("rank {rank} of {of} (in the image)", { rank: r.rank, of: r.of }),
      excluded: picks.code[j] !== 0,
      reason: picks.reasons[picks.code[j]],
      suitability: x,
      area_ha: picks.area_ha[j],
      raw: (i) => (picks.raw[i] ? picks.raw[i][j] : NaN),
      score: (i) => scoreOf(i, j),
      latlng: latlng,
      note: t("Drawn in the image: values to 1/65,534 of each criterion's range; the place," +
        " flags and routes are on the cards of the {n} sites drawn as shapes, and every value" +
        " is in sites.gpkg", { n: count(S.n) }),
    });
  }
  if (IMG) {
    S.map.on("click", (e) => {
      const j = pickAt(e.latlng);
      if (j >= 0) openImageCard(j, e.latlng);
    });
  }
  Object.assign(S, {
    IMG, paintImage, loadImage, pickAt: (lat, lon) => pickAt(L.latLng(lat, lon)),
    imageSuitability: () => Array.from(imageSuit),
  });
}
