/* sitesel map: the interactive sites layer.
 *
 * Reads the run's data from a JSON <script> element, draws sites on a canvas renderer,
 * colours them by suitability (or one criterion's score), opens a site card on click,
 * and recomputes suitability and ranks in the browser when a weight slider moves.
 * Text from data is only ever set with textContent, never parsed as HTML.
 */
"use strict";

function sitesel_init(map, control, dataId) {
  const data = JSON.parse(document.getElementById(dataId).textContent);
  const EXCLUDED = "#9e9e9e";
  const ROAD_COLOURS = {
    NH: "#b2182b", SH: "#d6604d", MDR: "#f4a582", motorway: "#b2182b", trunk: "#b2182b",
    primary: "#d6604d", secondary: "#f4a582",
  };
  const TARGET_COLOURS = ["#2166ac", "#762a83", "#1b7837", "#8c510a", "#01665e"];
  // Land zones by what they do: excluded land (constraints, exclude and setback rules),
  // flagged zones (sites there still rank), and a land bank sites must stay inside.
  const ZONE_STYLES = {
    exclude: { title: "Excluded land", colour: "#7f0000", fill: 0.25, dash: "3" },
    setback: { title: "Excluded land", colour: "#7f0000", fill: 0.25, dash: "3" },
    flag: { title: "Flagged land (sites still rank)", colour: "#e08214", fill: 0.08, dash: "6 4" },
    include_only: { title: "Land bank (sites must lie inside)", colour: "#1a9850", fill: 0.1, dash: "" },
  };
  let zoneTitles = [];
  let allocationTitles = [];
  const ALLOCATION_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
    "#a6761d", "#1f78b4"];
  const C = data.criteria;
  const n = data.ids.length;
  const weighted = C.map((c, i) => i).filter((i) => C[i].weighted);
  const initial = {};
  weighted.forEach((i) => { initial[i] = C[i].weight; });
  let weights = Object.assign({}, initial);
  let suit = new Float64Array(n);
  let rank = data.rank.slice();
  let order = [];
  let colourBy = -1; // -1: suitability; otherwise a criterion index
  // Fixed classes (sitesel.render.classes): a slider recolours sites, never the legend.
  let classes = data.classes.suitability;

  // ---------- helpers ----------
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function decode(parts) {
    return parts.map((flat) => {
      const pts = [];
      let x = 0;
      let y = 0;
      for (let k = 0; k < flat.length; k += 2) {
        x += flat[k];
        y += flat[k + 1];
        pts.push([y / 1e5, x / 1e5]);
      }
      return pts;
    });
  }
  function fmt(v, digits) {
    if (v === null || v === undefined || !Number.isFinite(v)) return "no value";
    const d = digits === undefined ? (Math.abs(v) < 10 ? 3 : 1) : digits;
    return v.toLocaleString("en", { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  const RAW_DIGITS = { min: 0, m: 0, reachable: 0, access: 0, people: 0, km: 1, deg: 1, ha: 1 };
  const UNIT_TEXT = { deg: "\u00b0", reachable: "people", access: "" };
  function fmtRaw(v, unit) {
    if (v === null || v === undefined || !Number.isFinite(v)) return "no value";
    const d = Object.prototype.hasOwnProperty.call(RAW_DIGITS, unit) ? RAW_DIGITS[unit] : 2;
    const u = Object.prototype.hasOwnProperty.call(UNIT_TEXT, unit) ? UNIT_TEXT[unit] : unit;
    return fmt(v, d) + (u === "\u00b0" ? u : u ? " " + u : "");
  }
  function labelOf(i) { return C[i].label || C[i].name; }
  function compareIds(a, b) {
    const x = data.ids[a];
    const y = data.ids[b];
    return x < y ? -1 : x > y ? 1 : 0;
  }

  // ---------- scoring (mirrors sitesel.decision.aggregation; ties by site id) ----------
  const AGG = data.aggregation || { method: "weighted_sum" };
  // live: false when a big map left candidates out (drawn as an image): no re-ranking.
  const live = data.live !== false;
  const pool = [];
  for (let s = 0; s < n; s++) if (!data.excluded[s]) pool.push(s);
  function scoreOf(i, s) {
    const v = data.score[i][s];
    return v === null ? NaN : v;
  }
  function normalisedWeights() {
    let total = 0;
    weighted.forEach((i) => { total += weights[i]; });
    return weighted.map((i) => (total > 0 ? weights[i] / total : 0));
  }
  // Per-site kernels: z holds one site's terms (scores; PROMETHEE: net flows) in the order
  // of `weighted`, w the normalised weights. A big map's image applies them too.
  function sumKernel(z, w) {
    let v = 0;
    z.forEach((x, k) => { v += w[k] * x; });
    return v;
  }
  function productKernel(z, w) {
    let logv = 0;
    z.forEach((x, k) => {
      if (Number.isNaN(x)) logv = NaN;
      else if (w[k] > 0) logv += x > 0 ? w[k] * Math.log(x) : -Infinity; // 0 ** 0 = 1
    });
    return Math.exp(logv);
  }
  function prometheeKernel(z, w) { return (sumKernel(z, w) + 1) / 2; }
  function perSite(kernel, termOf) {
    return (w) => {
      const z = new Array(weighted.length);
      for (let s = 0; s < n; s++) {
        for (let k = 0; k < z.length; k++) z[k] = termOf(k, s);
        suit[s] = kernel(z, w);
      }
    };
  }
  const scoreTerm = (k, s) => scoreOf(weighted[k], s);
  const weightedSum = perSite(sumKernel, scoreTerm);
  const weightedProduct = perSite(productKernel, scoreTerm);
  function quantifier() {
    if (AGG.order_weights) {
      const v = AGG.order_weights;
      const total = v.reduce((a, b) => a + b, 0);
      const knots = [0];
      v.forEach((x) => knots.push(knots[knots.length - 1] + x / total));
      knots[knots.length - 1] = 1;
      const m = v.length;
      return (p) => {
        const t = Math.min(Math.max(p, 0), 1) * m;
        const j = Math.min(Math.floor(t), m - 1);
        return knots[j] + (t - j) * (knots[j + 1] - knots[j]);
      };
    }
    const a = AGG.andness === null || AGG.andness === undefined ? 0.5 : AGG.andness;
    if (a <= 0) return (p) => (p > 0 ? 1 : 0);
    if (a >= 1) return (p) => (p >= 1 ? 1 : 0);
    const alpha = a / (1 - a);
    return (p) => Math.pow(Math.min(Math.max(p, 0), 1), alpha);
  }
  const Q = AGG.method === "owa" ? quantifier() : null;
  function owaKernel(z, w) {
    if (z.some((x) => Number.isNaN(x))) return NaN;
    const byScore = z.map((x, k) => k).sort((a, b) => (z[b] - z[a]) || (a - b)); // best first, stable
    let cum = 0;
    let v = 0;
    byScore.forEach((k, pos) => {
      const before = cum;
      cum = pos === z.length - 1 ? 1 : cum + w[k];
      v += (Q(cum) - Q(before)) * z[k];
    });
    return v;
  }
  const owa = perSite(owaKernel, scoreTerm);
  const vectorNorm = weighted.map((i) => {
    let t = 0;
    pool.forEach((s) => { const x = scoreOf(i, s); if (!Number.isNaN(x)) t += x * x; });
    return Math.sqrt(t);
  });
  function topsis(w) {
    const useVector = AGG.normalisation === "vector";
    const val = (k, s) => {
      const x = scoreOf(weighted[k], s);
      const r = useVector ? (vectorNorm[k] > 0 ? x / vectorNorm[k] : 0) : x;
      return w[k] * r;
    };
    const ideal = weighted.map(() => -Infinity);
    const anti = weighted.map(() => Infinity);
    (pool.length ? pool : [...Array(n).keys()]).forEach((s) => {
      weighted.forEach((i, k) => {
        const v = val(k, s);
        if (!Number.isNaN(v)) { ideal[k] = Math.max(ideal[k], v); anti[k] = Math.min(anti[k], v); }
      });
    });
    for (let s = 0; s < n; s++) {
      let dp = 0;
      let dm = 0;
      weighted.forEach((i, k) => {
        const v = val(k, s);
        dp += (v - ideal[k]) ** 2;
        dm += (v - anti[k]) ** 2;
      });
      dp = Math.sqrt(dp);
      dm = Math.sqrt(dm);
      suit[s] = dp + dm === 0 ? 1 : dm / (dp + dm);
    }
  }
  const ref = pool.length ? pool : [...Array(n).keys()];
  const best = weighted.map((i) => Math.max(...ref.map((s) => scoreOf(i, s)).filter((x) => !Number.isNaN(x))));
  const worst = weighted.map((i) => Math.min(...ref.map((s) => scoreOf(i, s)).filter((x) => !Number.isNaN(x))));
  function vikor(w) {
    const v = AGG.v === undefined ? 0.5 : AGG.v;
    const S = new Float64Array(n);
    const R = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      let sum = 0;
      let max = -Infinity;
      weighted.forEach((i, k) => {
        const span = best[k] - worst[k];
        const t = span > 0 ? (best[k] - scoreOf(i, s)) / span : 0;
        sum += w[k] * t;
        max = Math.max(max, w[k] * t);
      });
      S[s] = sum;
      R[s] = max;
    }
    const range = (X) => {
      let lo = Infinity;
      let hi = -Infinity;
      ref.forEach((s) => { lo = Math.min(lo, X[s]); hi = Math.max(hi, X[s]); });
      return [lo, hi];
    };
    const [s0, s1] = range(S);
    const [r0, r1] = range(R);
    for (let s = 0; s < n; s++) {
      const qs = s1 > s0 ? (S[s] - s0) / (s1 - s0) : 0;
      const qr = r1 > r0 ? (R[s] - r0) / (r1 - r0) : 0;
      suit[s] = Math.min(Math.max(1 - (v * qs + (1 - v) * qr), 0), 1);
    }
  }
  // Per-criterion net flows do not depend on the weights: sitesel packs them.
  const promethee = perSite(prometheeKernel, (k, s) => AGG.flows[k][s]);
  const KERNELS = {
    weighted_sum: sumKernel, weighted_product: productKernel, owa: owaKernel,
    promethee_ii: prometheeKernel,
  };
  const METHODS = {
    weighted_sum: weightedSum,
    weighted_product: weightedProduct,
    owa: owa,
    topsis: topsis,
    vikor: vikor,
    promethee_ii: promethee,
  };
  const slidersWork = live && Object.prototype.hasOwnProperty.call(METHODS, AGG.method);
  function computeSuitability() {
    if (!live) {
      for (let s = 0; s < n; s++) suit[s] = data.suitability[s] === null ? NaN : data.suitability[s];
      return;
    }
    METHODS[slidersWork ? AGG.method : "weighted_sum"](normalisedWeights());
  }
  function computeOrder(useGivenRanks) {
    order = [];
    for (let s = 0; s < n; s++) if (!data.excluded[s]) order.push(s);
    if (useGivenRanks) {
      order.sort((a, b) => data.rank[a] - data.rank[b]);
    } else {
      order.sort((a, b) => (suit[b] - suit[a]) || compareIds(a, b));
      rank = new Array(n).fill(null);
      order.forEach((s, k) => { rank[s] = k + 1; });
    }
  }

  // ---------- colouring ----------
  function valueOf(s) {
    if (colourBy < 0) return suit[s];
    const v = data.score[colourBy][s];
    return v === null ? NaN : v;
  }
  function classOf(x, by) {
    const e = (by || classes).edges;
    let k = 0;
    while (k < e.length - 2 && x >= e[k + 1]) k++;
    return k;
  }

  // ---------- layers ----------
  const renderer = L.canvas({ padding: 0.5 });
  const siteLayers = data.sites.map((parts, s) => {
    const rings = decode(parts);
    const layer = L.polygon(rings.length === 1 ? rings[0] : rings.map((r) => [r]), {
      renderer: renderer, weight: 0.6, fillOpacity: 0.75, opacity: 0.9,
    });
    layer.on("click", () => openCard(s));
    return layer;
  });
  const sitesGroup = L.featureGroup(siteLayers).addTo(map);
  control.addOverlay(sitesGroup, "Sites");

  // ---------- a big map's other candidates: one image, repainted as the weights move ----------
  // (sitesel.render.live_image): an index raster says which candidate covers each pixel;
  // each candidate's terms are combined with the slider weights by the method's kernel.
  const IMG = data.image || null;
  const imageSuit = IMG ? new Float64Array(IMG.sites) : null;
  let imageIndex = null;
  let imageTerms = null;
  let imageCanvas = null;
  let imageNote = null;
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
  async function inflate(b64) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let j = 0; j < bin.length; j++) bytes[j] = bin.charCodeAt(j);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer();
  }
  async function loadImage() {
    imageIndex = new Uint32Array(await inflate(IMG.index));
    imageTerms = await Promise.all(IMG.terms.map(async (t) => {
      const q = new Uint16Array(await inflate(t.q));
      const out = new Float64Array(q.length);
      const step = (t.hi - t.lo) / 65534;
      for (let j = 0; j < q.length; j++) out[j] = q[j] === 65535 ? NaN : t.lo + q[j] * step;
      return out;
    }));
    imageCanvas = document.createElement("canvas");
    imageCanvas.width = IMG.width;
    imageCanvas.height = IMG.height;
    const layer = new CanvasOverlay(imageCanvas, [IMG.south_west, IMG.north_east], { zIndex: 3 });
    layer.addTo(map);
    control.addOverlay(layer, "Other candidates (" + IMG.sites.toLocaleString("en") + ", suitability)");
  }
  function rgbaWord(hex) { // "#rrggbb" at 75 % opacity, as a little-endian RGBA pixel
    const v = parseInt(hex.slice(1), 16);
    return ((191 << 24) | ((v & 0xff) << 16) | (v & 0xff00) | (v >> 16)) >>> 0;
  }
  function paintImage() {
    if (!imageIndex) return;
    const kernel = KERNELS[AGG.method];
    const w = normalisedWeights();
    const z = new Array(imageTerms.length);
    for (let j = 0; j < IMG.sites; j++) {
      for (let k = 0; k < z.length; k++) z[k] = imageTerms[k][j];
      imageSuit[j] = kernel(z, w);
    }
    const by = data.classes.suitability;
    const colours = by.colours.map(rgbaWord);
    const lut = new Uint32Array(IMG.sites + 1);
    for (let j = 0; j < IMG.sites; j++) {
      if (Number.isFinite(imageSuit[j])) lut[j + 1] = colours[classOf(imageSuit[j], by)];
    }
    const ctx = imageCanvas.getContext("2d");
    const pixels = ctx.createImageData(IMG.width, IMG.height);
    const words = new Uint32Array(pixels.data.buffer);
    for (let p = 0; p < words.length; p++) words[p] = lut[imageIndex[p]];
    ctx.putImageData(pixels, 0, 0);
    // Ranks are among the vector sites: say when image sites now outscore the last of them.
    const last = order.length ? suit[order[order.length - 1]] : -Infinity;
    let above = 0;
    for (let j = 0; j < IMG.sites; j++) if (imageSuit[j] > last + 1e-4) above++;
    imageNote.textContent = above === 0 ? "" : above.toLocaleString("en") + " of the " +
      IMG.sites.toLocaleString("en") + " candidates in the image now score above the last of the " +
      order.length.toLocaleString("en") + " drawn as sites: ranks here are among those; copy the " +
      "weights to the config and rerun for the full ranking";
  }

  if (data.area && data.area.length) {
    const outline = L.layerGroup();
    data.area.forEach((parts) => decode(parts).forEach((ring) => {
      L.polygon(ring, { renderer: renderer, fill: false, color: "#000", weight: 2, dashArray: "6" })
        .addTo(outline);
    }));
    outline.addTo(map);
    control.addOverlay(outline, "Study area");
  }

  if (data.roads) {
    const roads = L.layerGroup();
    data.roads.lines.forEach((parts, k) => {
      const cls = data.roads.class[k];
      const main = Object.prototype.hasOwnProperty.call(ROAD_COLOURS, cls);
      const line = L.polyline(decode(parts), {
        renderer: renderer, color: main ? ROAD_COLOURS[cls] : "#555", weight: main ? 3 : 1.5,
        opacity: 0.85,
      });
      const tip = el("span", null, (data.roads.name[k] ? data.roads.name[k] + " " : "") + "(" + cls + ")");
      line.bindTooltip(tip, { sticky: true });
      line.addTo(roads);
    });
    roads.addTo(map);
    control.addOverlay(roads, "Roads");
  }

  const townNames = new Set(data.places ? data.places.name : []);
  if (data.targets) {
    const groups = {};
    const many = new Set(data.targets.many || []);
    data.targets.criterion.forEach((crit, k) => {
      if (!groups[crit]) {
        groups[crit] = L.layerGroup();
      }
      const idx = Object.keys(groups).indexOf(crit);
      const colour = TARGET_COLOURS[idx % TARGET_COLOURS.length];
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
      control.addOverlay(groups[crit], "Targets: " + data.targets.label[k]);
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
        e.title = name + (pop > 0 ? ", " + pop.toLocaleString("en") + " people" : "");
      });
      marker.addTo(towns);
    });
    towns.addTo(map);
    control.addOverlay(towns, "Towns (GeoNames)");
  }

  if (data.taken) {
    // Constraints and land rules: excluded land, flagged zones, the land bank (ZONE_STYLES).
    const groups = {};
    data.taken.polys.forEach((parts, k) => {
      const action = (data.taken.action || [])[k] || "exclude";
      const style = ZONE_STYLES[action] || ZONE_STYLES.exclude;
      const rings = decode(parts);
      const zone = L.polygon(rings.length === 1 ? rings[0] : rings.map((r) => [r]), {
        renderer: renderer, color: style.colour, weight: 1, fillColor: style.colour,
        fillOpacity: style.fill, dashArray: style.dash,
      });
      zone.bindTooltip(el("span", null, style.title + ": " + data.taken.reason[k]), { sticky: true });
      if (!groups[style.title]) groups[style.title] = L.layerGroup();
      zone.addTo(groups[style.title]);
    });
    Object.keys(groups).forEach((title) => control.addOverlay(groups[title], title));
    zoneTitles = Object.keys(groups);
  }

  // Location problems: chosen sites as numbered markers, demand points in their site's colour
  // (grey ringed in red where not covered), one layer per problem.
  allocationTitles = [];
  (data.allocation || []).forEach((a, p) => {
    const group = L.layerGroup();
    const share = a.coverage_share === null || a.coverage_share === undefined
      ? "" : ", " + Math.round(100 * a.coverage_share) + "% of demand covered";
    const title = "Allocation: " + a.name + " (" + a.problem.replace("_", "-") + ", k=" + a.k +
      (a.within_min ? ", T=" + a.within_min + " min" : "") + share + ")";
    a.demand.lonlat.forEach((ll, i) => {
      const s = a.demand.site[i];
      const covered = a.demand.covered[i];
      const colour = s >= 0 ? ALLOCATION_COLOURS[s % ALLOCATION_COLOURS.length] : "#9e9e9e";
      const dot = L.circleMarker([ll[1], ll[0]], {
        renderer: renderer, radius: 3 + Math.min(5, Math.log10(Math.max(a.demand.weight[i], 1))),
        color: covered ? "#fff" : "#b2182b", weight: covered ? 0.5 : 1.5,
        fillColor: covered ? colour : "#9e9e9e", fillOpacity: 0.9,
      });
      const minutes = a.demand.minutes[i] === null ? "out of reach" : a.demand.minutes[i] + " min";
      dot.bindTooltip(el("span", null, (a.demand.name[i] || "demand") + ": " +
        a.demand.weight[i].toLocaleString("en") + ", " + minutes +
        (s >= 0 ? " to site " + (s + 1) + " (" + a.ids[s] + ")" : "") +
        (covered ? "" : ", not covered")));
      dot.addTo(group);
    });
    a.lonlat.forEach((ll, s) => {
      const icon = L.divIcon({ className: "sitesel-allocation", html: "", iconSize: null });
      const marker = L.marker([ll[1], ll[0]], { icon: icon, keyboard: false });
      marker.on("add", () => {
        const e = marker.getElement();
        e.textContent = String(s + 1);
        e.style.background = ALLOCATION_COLOURS[s % ALLOCATION_COLOURS.length];
      });
      const again = a.draws && a.chosen_share && a.chosen_share[s] !== null
        ? "; chosen again in " + Math.round(100 * a.chosen_share[s]) + "% of " + a.draws +
          " weight draws" : "";
      marker.bindTooltip(el("span", null, a.name + " site " + (s + 1) + ": " + a.ids[s] +
        (a.places[s] ? ", " + a.places[s] : "") + again));
      marker.addTo(group);
    });
    if (p === 0) group.addTo(map);  // the first problem shows: the answer the run gives
    control.addOverlay(group, title);
    allocationTitles.push(title);
  });

  if (data.repairs) {
    const repairs = L.layerGroup();
    data.repairs.lonlat.forEach((ll, k) => {
      const marker = L.circleMarker([ll[1], ll[0]], {
        renderer: renderer, radius: 5, color: "#000", weight: 1.5, fillColor: "#ffd700",
        fillOpacity: 1,
      });
      marker.bindTooltip(el("span", null, "Road repair: " + data.repairs.text[k]));
      marker.addTo(repairs);
    });
    control.addOverlay(repairs, "Road repairs (" + data.repairs.lonlat.length + ")");
  }

  const rankMarkers = L.layerGroup().addTo(map);
  control.addOverlay(rankMarkers, "Top " + data.top_n + " ranks");

  // ---------- site card ----------
  const popup = L.popup({ maxWidth: 420, minWidth: 300, className: "sitesel-popup" });
  function openCard(s) {
    const card = el("div", "sitesel-card");
    card.dataset.site = data.ids[s];
    const head = el("div", "sitesel-card-head");
    head.appendChild(el("b", null, "Site " + data.ids[s] + (data.place && data.place[s] ? ", " + data.place[s] : "")));
    head.appendChild(el("span", "sitesel-card-rank",
      data.excluded[s] ? "excluded" : "rank " + rank[s] + " of " + order.length));
    card.appendChild(head);
    if (data.excluded[s]) {
      card.appendChild(el("div", "sitesel-card-reason", "Excluded: " + data.reason[s]));
    }
    card.appendChild(el("div", null,
      "Suitability " + fmt(suit[s], 3) + " \u00b7 area " + fmt(data.area_ha[s], 1) + " ha"));
    const table = el("table", "sitesel-card-table");
    const hr = el("tr");
    ["criterion", "raw value", "score", "weight", "contribution"].forEach((h) => hr.appendChild(el("th", null, h)));
    table.appendChild(hr);
    let total = 0;
    weighted.forEach((i) => { total += weights[i]; });
    let limiting = null;
    C.forEach((c, i) => {
      const tr = el("tr");
      tr.appendChild(el("td", null, labelOf(i)));
      tr.appendChild(el("td", null, fmtRaw(data.raw[i][s], c.unit)));
      if (c.weighted) {
        const sc = data.score[i][s];
        const w = total > 0 ? weights[i] / total : 0;
        tr.appendChild(el("td", null, fmt(sc, 2)));
        tr.appendChild(el("td", null, Math.round(100 * w) + "%"));
        const cell = el("td");
        const bar = el("div", "sitesel-bar");
        bar.style.width = Math.round(100 * w * (sc === null ? 0 : sc)) + "px";
        cell.appendChild(bar);
        cell.appendChild(el("span", "sitesel-bar-label", fmt(w * (sc === null ? 0 : sc), 3)));
        tr.appendChild(cell);
        if (w > 0 && sc !== null && (limiting === null || sc < limiting.score)) {
          limiting = { name: labelOf(i), score: sc };
        }
      } else {
        tr.appendChild(el("td", null, "-"));
        tr.appendChild(el("td", null, "not weighted"));
        tr.appendChild(el("td"));
      }
      table.appendChild(tr);
    });
    card.appendChild(table);
    const extras = data.extras || {};
    Object.keys(extras).forEach((label) => {
      const column = extras[label];
      if (column.kinds) { // land flags: a kind of flag and its measure ("6.5 km from ")
        const flags = column.sites[s];
        if (!flags.length) return;
        const box = el("div", "sitesel-card-flags");
        box.appendChild(el("div", null, "Land flags (the site still ranks):"));
        const list = el("ul");
        flags.forEach((f) => list.appendChild(el("li", null, f[1] + column.kinds[f[0]])));
        box.appendChild(list);
        card.appendChild(box);
        return;
      }
      const v = Array.isArray(column) ? column[s] : column.u[column.i[s]];
      if (v === "" || (label === "region" && v === "0")) return;
      card.appendChild(el("div", "sitesel-card-extra", label + ": " + v));
    });
    if (limiting) {
      card.appendChild(el("div", "sitesel-card-limit",
        "Limiting criterion: " + limiting.name + " (score " + fmt(limiting.score, 2) + ")"));
    }
    drawRoutes(s, card);
    popup.setLatLng(siteLayers[s].getBounds().getCenter()).setContent(card).openOn(map);
  }

  // ---------- routes: the selected site's ways to the targets (stored in the run) ----------
  const routesLayer = L.layerGroup().addTo(map);
  function drawRoutes(s, card) {
    routesLayer.clearLayers();
    const R = data.routes;
    if (!R) return;
    const box = el("div", "sitesel-card-routes");
    R.site.forEach((site, k) => {
      if (site !== s) return;
      const colour = TARGET_COLOURS[k % TARGET_COLOURS.length];
      decode(R.lines[k]).forEach((part) => {
        L.polyline(part, { color: colour, weight: 4, opacity: 0.85, className: "sitesel-route" })
          .bindTooltip(el("span", null, R.label[k] + ": " + fmt(R.km[k], 1) + " km, " +
            fmt(R.minutes[k], 0) + " min"))
          .addTo(routesLayer);
      });
      box.appendChild(el("div", null, R.label[k] + ": " + fmt(R.km[k], 1) + " km, " +
        fmt(R.minutes[k], 0) + " min by " + R.roads[k]));
    });
    if (box.childNodes.length) card.appendChild(box);
  }
  map.on("popupclose", () => routesLayer.clearLayers());

  // ---------- panels ----------
  function panel(position, cls, build) {
    const ctl = L.control({ position: position });
    ctl.onAdd = function () {
      const div = el("div", "sitesel-panel " + cls);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      build(div);
      return div;
    };
    ctl.addTo(map);
    return ctl;
  }

  let topList = null;
  panel("bottomleft", "sitesel-top", (div) => {
    div.appendChild(el("b", null, "Top " + data.top_n + " sites"));
    const table = el("table", "sitesel-top-table");
    const head = el("tr");
    ["#", "site", "suitability", "limiting factor", "area"].forEach((h) => head.appendChild(el("th", null, h)));
    table.appendChild(head);
    topList = el("tbody");
    topList.id = "sitesel-top-list";
    table.appendChild(topList);
    div.appendChild(table);
  });

  // Why sites are excluded: fixed by the constraints, whatever the weights.
  panel("bottomleft", "sitesel-constraints", (div) => {
    let counts = {};
    let excludedCount = 0;
    let total = n;
    if (data.counts) { // a big map: counted over all sites, most drawn as an image
      counts = data.counts.reasons;
      excludedCount = data.counts.excluded;
      total = data.counts.sites;
    } else {
      for (let s = 0; s < n; s++) {
        if (!data.excluded[s]) continue;
        excludedCount += 1;
        data.reason[s].split("; ").forEach((r) => {
          if (r) counts[r] = (counts[r] || 0) + 1;
        });
      }
    }
    div.appendChild(el("b", null, "Excluded: " + excludedCount.toLocaleString("en") + " of " +
      total.toLocaleString("en") + " sites"));
    const list = el("ul");
    list.id = "sitesel-constraint-list";
    Object.keys(counts).sort((a, b) => counts[b] - counts[a] || (a < b ? -1 : 1)).slice(0, 8)
      .forEach((r) => list.appendChild(el("li", null, r + ": " + counts[r].toLocaleString("en"))));
    div.appendChild(list);
    div.appendChild(el("div", "sitesel-note", "A site can fail several."));
  });

  let legendBody = null;
  panel("bottomright", "sitesel-legend", (div) => {
    const label = el("label", null, "Colour by ");
    const select = el("select");
    select.id = "sitesel-colour-by";
    const opt = el("option", null, "suitability");
    opt.value = "-1";
    select.appendChild(opt);
    weighted.forEach((i) => {
      const o = el("option", null, "score: " + labelOf(i));
      o.value = String(i);
      select.appendChild(o);
    });
    select.addEventListener("change", () => {
      colourBy = Number(select.value);
      classes = colourBy < 0 ? data.classes.suitability : data.classes.score;
      buildLegend();
      restyle();
    });
    label.appendChild(select);
    div.appendChild(label);
    legendBody = el("div");
    div.appendChild(legendBody);
  });

  const sliders = {};
  let yamlBox = null;
  panel("topright", "sitesel-weights", (div) => {
    div.appendChild(el("b", null, "Weights"));
    let method = "Re-ranked as sitesel ranks: " + (AGG.label || AGG.method);
    if (!live) {
      method = "Sliders off: too many candidate sites to re-rank in the page; the ranking is " +
        "sitesel's (change weights in the config and rerun)";
    } else if (!slidersWork) {
      method = "Sliders off: the map cannot re-rank with " + AGG.method + "; the ranking is sitesel's";
    }
    div.appendChild(el("div", "sitesel-method", method));
    imageNote = el("div", "sitesel-image-note");
    div.appendChild(imageNote);
    weighted.forEach((i) => {
      const row = el("div", "sitesel-weight-row");
      const name = el("span", "sitesel-weight-name", labelOf(i));
      name.title = labelOf(i);
      row.appendChild(name);
      const input = el("input");
      input.type = "range";
      input.min = "0";
      input.max = "100";
      input.step = "1";
      input.value = String(Math.round(100 * initial[i]));
      input.dataset.criterion = C[i].name;
      input.disabled = !slidersWork;
      const out = el("span", "sitesel-weight-value");
      input.addEventListener("input", () => {
        weights[i] = Number(input.value) / 100;
        update(false);
      });
      sliders[i] = { input: input, out: out };
      row.appendChild(input);
      row.appendChild(out);
      div.appendChild(row);
    });
    const buttons = el("div", "sitesel-buttons");
    const reset = el("button", null, "Reset");
    reset.id = "sitesel-reset";
    reset.addEventListener("click", () => {
      weights = Object.assign({}, initial);
      weighted.forEach((i) => { sliders[i].input.value = String(Math.round(100 * initial[i])); });
      rank = data.rank.slice();
      yamlBox.value = "";
      yamlBox.style.display = "none";
      update(true);
    });
    const copy = el("button", null, "Copy as YAML");
    copy.id = "sitesel-copy-yaml";
    copy.addEventListener("click", () => {
      yamlBox.value = weightsYaml();
      yamlBox.style.display = "block";
      yamlBox.select();
      if (navigator.clipboard) navigator.clipboard.writeText(yamlBox.value).catch(() => {});
    });
    buttons.appendChild(reset);
    buttons.appendChild(copy);
    ["A4", "A3"].forEach((size) => {
      const b = el("button", null, "Print " + size);
      b.id = "sitesel-print-" + size.toLowerCase();
      b.addEventListener("click", () => { preparePrint(size); window.print(); });
      buttons.appendChild(b);
    });
    div.appendChild(buttons);
    yamlBox = el("textarea", "sitesel-yaml");
    yamlBox.id = "sitesel-yaml";
    yamlBox.readOnly = true;
    yamlBox.rows = weighted.length * 2 + 1;
    div.appendChild(yamlBox);
  });

  function weightsYaml() {
    let total = 0;
    weighted.forEach((i) => { total += weights[i]; });
    const lines = ["criteria:"];
    weighted.forEach((i) => {
      lines.push("  " + C[i].name + ":");
      lines.push("    weight: " + (total > 0 ? (weights[i] / total).toFixed(3) : "0"));
    });
    return lines.join("\n");
  }

  // ---------- redraw ----------
  function colourOf(s) {
    const v = valueOf(s);
    return data.excluded[s] || !Number.isFinite(v) ? EXCLUDED : classes.colours[classOf(v)];
  }
  function restyle() {
    for (let s = 0; s < n; s++) {
      const colour = colourOf(s);
      siteLayers[s].setStyle({
        fillColor: colour, color: colour, fillOpacity: colour === EXCLUDED ? 0.3 : 0.75,
      });
    }
  }
  function buildLegend() {
    legendBody.replaceChildren();
    const e = classes.edges;
    for (let k = classes.colours.length - 1; k >= 0; k--) {
      const row = el("div", "sitesel-legend-row");
      const sw = el("span", "sitesel-swatch");
      sw.style.background = classes.colours[k];
      row.appendChild(sw);
      row.appendChild(el("span", null, fmt(e[k], 1) + " \u2013 " + fmt(e[k + 1], 1)));
      legendBody.appendChild(row);
    }
    const ex = el("div", "sitesel-legend-row");
    const sw = el("span", "sitesel-swatch");
    sw.style.background = EXCLUDED;
    ex.appendChild(sw);
    ex.appendChild(el("span", null, "excluded"));
    legendBody.appendChild(ex);
    zoneTitles.forEach((title) => {
      const style = Object.values(ZONE_STYLES).find((z) => z.title === title);
      const row = el("div", "sitesel-legend-row");
      const sw = el("span", "sitesel-swatch sitesel-zone-swatch");
      sw.style.background = style.colour;
      sw.style.opacity = String(Math.max(0.35, style.fill * 2));
      row.appendChild(sw);
      row.appendChild(el("span", null, title.toLowerCase() + " (layer)"));
      legendBody.appendChild(row);
    });
    allocationTitles.forEach((title) => {
      const row = el("div", "sitesel-legend-row");
      const sw = el("span", "sitesel-allocation sitesel-allocation-swatch", "1");
      sw.style.background = ALLOCATION_COLOURS[0];
      row.appendChild(sw);
      row.appendChild(el("span", null, title.replace("Allocation: ", "")));
      legendBody.appendChild(row);
    });
    if (data.roads) {
      const present = new Set(data.roads.class);
      const main = Object.keys(ROAD_COLOURS).filter((c) => present.has(c));
      main.concat(present.size > main.length ? ["other"] : []).forEach((c) => {
        const row = el("div", "sitesel-legend-row");
        const line = el("span", "sitesel-road-swatch");
        line.style.background = c === "other" ? "#555" : ROAD_COLOURS[c];
        line.style.height = c === "other" ? "2px" : "4px";
        row.appendChild(line);
        row.appendChild(el("span", null, c === "other" ? "other roads" : c + " road"));
        legendBody.appendChild(row);
      });
    }
  }
  function limitingOf(s, w) {
    let best = null;
    weighted.forEach((i, k) => {
      const sc = data.score[i][s];
      if (w[k] > 0 && sc !== null && (best === null || sc < best.score)) best = { i: i, score: sc };
    });
    return best === null ? "" : labelOf(best.i);
  }
  function highlight(s, on) {
    siteLayers[s].setStyle(on ? { weight: 3, color: "#000" } : { weight: 0.6, color: colourOf(s) });
  }
  // Rank badges never overlap: badges whose boxes touch merge ("1·4"), until none do.
  function badgeWidth(ranks) { return Math.max(22, 8 + 7 * ranks.join("\u00b7").length); }
  function overlap(a, b) {
    const wa = badgeWidth(a.ranks) / 2 + 2;
    const wb = badgeWidth(b.ranks) / 2 + 2;
    return Math.abs(a.p.x - b.p.x) < wa + wb && Math.abs(a.p.y - b.p.y) < 26;
  }
  function placeBadges() {
    rankMarkers.clearLayers();
    let badges = order.slice(0, data.top_n).map((s, k) => {
      const ll = siteLayers[s].getBounds().getCenter();
      return { p: map.latLngToLayerPoint(ll), ll: ll, ranks: [k + 1], sites: [s] };
    });
    let merged = true;
    while (merged) {
      merged = false;
      for (let a = 0; a < badges.length && !merged; a++) {
        for (let b = a + 1; b < badges.length && !merged; b++) {
          if (overlap(badges[a], badges[b])) {
            badges[a].ranks = badges[a].ranks.concat(badges[b].ranks).sort((x, y) => x - y);
            badges[a].sites = badges[a].sites.concat(badges[b].sites);
            badges = badges.filter((_, k) => k !== b);
            merged = true;
          }
        }
      }
    }
    badges.forEach((b) => {
      const text = b.ranks.join("\u00b7");
      const icon = L.divIcon({ className: "sitesel-rank", html: "", iconSize: [badgeWidth(b.ranks), 22] });
      const marker = L.marker(b.ll, { icon: icon, keyboard: false });
      marker.on("add", () => { marker.getElement().textContent = text; });
      marker.on("click", () => openCard(b.sites[0]));
      marker.addTo(rankMarkers);
    });
  }
  map.on("zoomend", () => placeBadges());
  function redrawTop() {
    topList.replaceChildren();
    const w = normalisedWeights();
    order.slice(0, data.top_n).forEach((s, k) => {
      const tr = el("tr");
      tr.dataset.site = data.ids[s];
      tr.appendChild(el("td", null, String(k + 1)));
      const name = el("td", null, data.place && data.place[s] ? data.place[s] : data.ids[s]);
      name.title = data.ids[s];
      tr.appendChild(name);
      tr.appendChild(el("td", null, fmt(suit[s], 3)));
      tr.appendChild(el("td", null, limitingOf(s, w)));
      tr.appendChild(el("td", null, fmt(data.area_ha[s], 0) + " ha"));
      tr.addEventListener("click", () => {
        map.fitBounds(siteLayers[s].getBounds(), { maxZoom: 14 });
        openCard(s);
      });
      tr.addEventListener("mouseenter", () => highlight(s, true));
      tr.addEventListener("mouseleave", () => highlight(s, false));
      topList.appendChild(tr);
    });
    placeBadges();
  }
  function update(useGivenRanks) {
    computeSuitability();
    computeOrder(useGivenRanks);
    let total = 0;
    weighted.forEach((i) => { total += weights[i]; });
    weighted.forEach((i) => {
      sliders[i].out.textContent = (total > 0 ? Math.round(100 * weights[i] / total) : 0) + "%";
    });
    restyle();
    paintImage();
    redrawTop();
    if (popup.isOpen()) popup.close();
  }

  panel("topleft", "sitesel-north", (div) => {
    div.appendChild(el("div", "sitesel-north-arrow", "\u25b2"));
    div.appendChild(el("div", null, "N"));
  });

  // ---------- print: A4 or A3 landscape, controls hidden ----------
  const PAGE_MM = { A4: [297, 210], A3: [420, 297] };
  const MARGIN_MM = 8;
  let pageStyle = null;
  function preparePrint(size) {
    const mm = PAGE_MM[size] || PAGE_MM.A4;
    const px = (v) => Math.floor(((v - 2 * MARGIN_MM) / 25.4) * 96) - 2;
    if (!pageStyle) {
      pageStyle = document.createElement("style");
      document.head.appendChild(pageStyle);
    }
    pageStyle.textContent = "@page { size: " + size + " landscape; margin: " + MARGIN_MM + "mm; }";
    document.body.classList.add("sitesel-print");
    const box = map.getContainer();
    box.style.width = px(mm[0]) + "px";
    box.style.height = px(mm[1]) + "px";
    map.invalidateSize({ animate: false });
    map.options.zoomSnap = 0.1; // paper has no zoom buttons: fill it
    // The ranked sites fill the space the panels leave (left: tables, right: legend).
    const ranked = L.latLngBounds(order.map((s) => siteLayers[s].getBounds()));
    const target = ranked.isValid() ? ranked : sitesGroup.getBounds();
    map.fitBounds(target, { animate: false, paddingTopLeft: [450, 130], paddingBottomRight: [130, 20] });
    placeBadges();
  }
  function endPrint() {
    document.body.classList.remove("sitesel-print");
    const box = map.getContainer();
    box.style.width = "";
    box.style.height = "";
    map.invalidateSize({ animate: false });
    placeBadges();
  }
  window.addEventListener("afterprint", endPrint);

  buildLegend();
  update(true);
  map.fitBounds(sitesGroup.getBounds());
  window.sitesel = {
    ready: !IMG, // a big map is ready once its image is drawn
    sites: n,
    imageSuitability: () => (imageSuit ? Array.from(imageSuit) : []),
    imageNote: () => (imageNote ? imageNote.textContent : ""),
    topIds: (k) => order.slice(0, k).map((s) => data.ids[s]),
    // the routes drawn now, as [label, metres along the drawn lines]
    routesDrawn: () => routesLayer.getLayers().map((l) => [
      l.getTooltip() ? l.getTooltip().getContent().textContent : "",
      l.getLatLngs().reduce((m, p, j, a) => (j ? m + map.distance(a[j - 1], p) : 0), 0),
    ]),
    rerank: () => update(false),
    preparePrint: preparePrint,
    endPrint: endPrint,
    setWeights: (byName) => {
      weighted.forEach((i) => {
        if (Object.prototype.hasOwnProperty.call(byName, C[i].name)) weights[i] = byName[C[i].name];
      });
      update(false);
    },
    pointOf: (id) => {
      const s = data.ids.indexOf(id);
      const p = map.latLngToContainerPoint(siteLayers[s].getBounds().getCenter());
      const box = map.getContainer().getBoundingClientRect();
      return { x: p.x + box.left, y: p.y + box.top };
    },
    focus: (id) => {
      const s = data.ids.indexOf(id);
      map.fitBounds(siteLayers[s].getBounds(), { maxZoom: 15, animate: false });
    },
  };
  if (IMG) {
    loadImage().then(() => {
      paintImage();
      window.sitesel.ready = true;
    }).catch((err) => {
      imageNote.textContent = "This browser could not draw the other " +
        IMG.sites.toLocaleString("en") + " candidates (it needs DecompressionStream: Chrome " +
        "80+, Firefox 113+, Safari 16.4+): " + err;
      console.error("sitesel: the candidates' image could not be drawn: " + err);
    });
  }
}
