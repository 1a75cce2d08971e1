/* utm: a click's point in the sites' UTM zone, and the hexagon of sitesel's grid there
 * (sitesel.data.hex_lattice: column c at x = 1.5 s c, row r at y = sqrt(3) s (r + 1/2 if c
 * is odd); a point lies in the hexagon whose centre is nearest). The projection is the
 * transverse Mercator in Krüger's series to the third order in n on WGS 84 (as in
 * Karney, "Transverse Mercator with an accuracy of a few nanometers", J. Geodesy 85, 2011,
 * eqs. 7-11 and 35), good to a millimetre within a zone: a hexagon is hundreds of metres. */

const sitesel_utm = (() => {
  const a = 6378137;
  const f = 1 / 298.257223563;
  const k0 = 0.9996;
  const n = f / (2 - f);
  const A = (a / (1 + n)) * (1 + (n * n) / 4 + (n ** 4) / 64);
  const alpha = [n / 2 - (2 * n * n) / 3 + (5 * n ** 3) / 16, (13 * n * n) / 48 - (3 * n ** 3) / 5,
    (61 * n ** 3) / 240];
  const e2n = (2 * Math.sqrt(n)) / (1 + n); // the eccentricity e
  function project(lat, lon, zone, south) {
    const phi = (lat * Math.PI) / 180;
    const dLambda = ((lon - (zone * 6 - 183)) * Math.PI) / 180;
    const sinPhi = Math.sin(phi);
    const t = Math.sinh(Math.atanh(sinPhi) - e2n * Math.atanh(e2n * sinPhi));
    const xi = Math.atan2(t, Math.cos(dLambda));
    const eta = Math.atanh(Math.sin(dLambda) / Math.sqrt(1 + t * t));
    let x = eta;
    let y = xi;
    alpha.forEach((al, j) => {
      const m = 2 * (j + 1);
      x += al * Math.cos(m * xi) * Math.sinh(m * eta);
      y += al * Math.sin(m * xi) * Math.cosh(m * eta);
    });
    return [500000 + k0 * A * x, (south ? 10000000 : 0) + k0 * A * y];
  }
  // The id of the hexagon (side s metres) holding the UTM point (x, y).
  function hexagonAt(x, y, s) {
    const dx = 1.5 * s;
    const dy = Math.sqrt(3) * s;
    let best = null;
    const c0 = Math.floor(x / dx);
    [c0, c0 + 1].forEach((c) => {
      const shift = Math.abs(c % 2) === 1 ? 0.5 : 0;
      const r = Math.round(y / dy - shift);
      const d = (x - c * dx) ** 2 + (y - (r + shift) * dy) ** 2;
      if (best === null || d < best.d) best = { d: d, id: "H" + c + "_" + r };
    });
    return best.id;
  }
  return { project, hexagonAt };
})();
