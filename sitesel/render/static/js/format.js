/* format: DOM elements, numbers with units, the payload's packed lines and arrays.
 * Text from data is only ever set with textContent, never parsed as HTML. */

const sitesel_format = (() => {
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  // Lines and rings: [x0, y0, dx, dy, ...] in 1e-5 degrees, as the payload packs them (encoding.py).
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
  // The page's words in the map's language: the payload's translations of the English
  // message ids (sitesel.language), "{field}" filled; English when none is given.
  let messages = {};
  function setMessages(m) { messages = m || {}; }
  function t(text, fields) {
    let out = Object.prototype.hasOwnProperty.call(messages, text) ? messages[text] : text;
    if (fields) Object.keys(fields).forEach((k) => { out = out.split("{" + k + "}").join(String(fields[k])); });
    return out;
  }
  // Numbers grouped the Indian way (1,23,456), in every language.
  function count(n) { return Number(n).toLocaleString("en-IN"); }
  function fmt(v, digits) {
    if (v === null || v === undefined || !Number.isFinite(v)) return t("no value");
    const d = digits === undefined ? (Math.abs(v) < 10 ? 3 : 1) : digits;
    return v.toLocaleString("en-IN", { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  // Raw values with their unit, as the dossier writes them (sitesel.render.units_text).
  const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  function fmtRaw(v, unit) {
    if (v === null || v === undefined || !Number.isFinite(v)) return t("no value");
    const U = SITESEL_UNITS;
    const d = has(U.digits, unit) ? U.digits[unit] : U.default_digits;
    const u = t(has(U.text, unit) ? U.text[unit] : unit);
    return fmt(v, d) + (u === "\u00b0" ? u : u ? " " + u : "");
  }
  // Arrays live_image.py deflates (zlib) and base64-encodes.
  async function inflate(b64) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let j = 0; j < bin.length; j++) bytes[j] = bin.charCodeAt(j);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer();
  }
  // uint16 steps between lo and hi (65535: no value), as Float64.
  async function dequantise(t) {
    const q = new Uint16Array(await inflate(t.q));
    const out = new Float64Array(q.length);
    const step = (t.hi - t.lo) / 65534;
    for (let j = 0; j < q.length; j++) out[j] = q[j] === 65535 ? NaN : t.lo + q[j] * step;
    return out;
  }
  return { el, decode, fmt, fmtRaw, has, inflate, dequantise, t, setMessages, count };
})();
