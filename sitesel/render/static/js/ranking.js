/* ranking: suitability and ranks in the page, as sitesel ranks (sitesel.mcda.aggregation;
 * ties by site id). Adds to the shared state S: normalisedWeights, KERNELS, slidersWork,
 * computeSuitability, computeOrder. */

function sitesel_ranking(S) {
  const data = S.data;
  const n = S.n;
  const weighted = S.weighted;
  const AGG = S.AGG;
  const suit = S.suit;
  const pool = [];
  for (let s = 0; s < n; s++) if (!data.excluded[s]) pool.push(s);
  const ref = pool.length ? pool : [...Array(n).keys()];
  function scoreOf(i, s) {
    const v = data.score[i][s];
    return v === null ? NaN : v;
  }
  function totalWeight() {
    let total = 0;
    weighted.forEach((i) => { total += S.weights[i]; });
    return total;
  }
  function normalisedWeights() {
    const total = totalWeight();
    return weighted.map((i) => (total > 0 ? S.weights[i] / total : 0));
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
    ref.forEach((s) => {
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
  const finite = (xs) => xs.filter((x) => !Number.isNaN(x));
  const best = weighted.map((i) => Math.max(...finite(ref.map((s) => scoreOf(i, s)))));
  const worst = weighted.map((i) => Math.min(...finite(ref.map((s) => scoreOf(i, s)))));
  function vikor(w) {
    const v = AGG.v === undefined ? 0.5 : AGG.v;
    const Sum = new Float64Array(n);
    const Max = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      let sum = 0;
      let max = -Infinity;
      weighted.forEach((i, k) => {
        const span = best[k] - worst[k];
        const t = span > 0 ? (best[k] - scoreOf(i, s)) / span : 0;
        sum += w[k] * t;
        max = Math.max(max, w[k] * t);
      });
      Sum[s] = sum;
      Max[s] = max;
    }
    const range = (X) => {
      let lo = Infinity;
      let hi = -Infinity;
      ref.forEach((s) => { lo = Math.min(lo, X[s]); hi = Math.max(hi, X[s]); });
      return [lo, hi];
    };
    const [s0, s1] = range(Sum);
    const [r0, r1] = range(Max);
    for (let s = 0; s < n; s++) {
      const qs = s1 > s0 ? (Sum[s] - s0) / (s1 - s0) : 0;
      const qr = r1 > r0 ? (Max[s] - r0) / (r1 - r0) : 0;
      suit[s] = Math.min(Math.max(1 - (v * qs + (1 - v) * qr), 0), 1);
    }
  }
  const KERNELS = {
    weighted_sum: sumKernel, weighted_product: productKernel, owa: owaKernel,
    promethee_ii: prometheeKernel,
  };
  const METHODS = {
    weighted_sum: perSite(sumKernel, scoreTerm),
    weighted_product: perSite(productKernel, scoreTerm),
    owa: perSite(owaKernel, scoreTerm),
    topsis: topsis,
    vikor: vikor,
    // Per-criterion net flows do not depend on the weights: sitesel packs them.
    promethee_ii: perSite(prometheeKernel, (k, s) => AGG.flows[k][s]),
  };
  const slidersWork = S.live && sitesel_format.has(METHODS, AGG.method);
  function computeSuitability() {
    if (!slidersWork) { // sitesel's values: too many sites, or a method this page lacks
      for (let s = 0; s < n; s++) suit[s] = data.suitability[s] === null ? NaN : data.suitability[s];
      return;
    }
    METHODS[AGG.method](normalisedWeights());
  }
  function compareIds(a, b) {
    const x = data.ids[a];
    const y = data.ids[b];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  function computeOrder(useGivenRanks) {
    const order = [];
    for (let s = 0; s < n; s++) if (!data.excluded[s]) order.push(s);
    if (useGivenRanks) {
      order.sort((a, b) => data.rank[a] - data.rank[b]);
    } else {
      order.sort((a, b) => (suit[b] - suit[a]) || compareIds(a, b));
      S.rank = new Array(n).fill(null);
      order.forEach((s, k) => { S.rank[s] = k + 1; });
    }
    S.order = order;
  }
  Object.assign(S, {
    totalWeight, normalisedWeights, KERNELS, slidersWork, computeSuitability, computeOrder,
  });
}
