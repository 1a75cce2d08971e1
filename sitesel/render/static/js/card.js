/* site card: a site's rank, suitability, area, and per criterion its raw value, score,
 * weight and contribution; its land flags and extras; its routes. The same card for a
 * vector site (openCard) and for a site of a big map's image (showCard with the values
 * image.js reads from the picks). Adds to S: popup, openCard, showCard, limitingOf. */

function sitesel_card(S) {
  const { el, fmt, fmtRaw, t } = sitesel_format;
  const data = S.data;
  const C = data.criteria;
  const popup = L.popup({ maxWidth: 420, minWidth: 300, className: "sitesel-popup" });

  function limitingOf(s, w) {
    let best = null;
    S.weighted.forEach((i, k) => {
      const sc = data.score[i][s];
      if (w[k] > 0 && sc !== null && (best === null || sc < best.score)) best = { i: i, score: sc };
    });
    return best === null ? "" : S.labelOf(best.i);
  }
  function criteriaTable(view) {
    const table = el("table", "sitesel-card-table");
    const hr = el("tr");
    [t("criterion"), t("raw value"), t("score"), t("weight"), t("contribution")]
      .forEach((h) => hr.appendChild(el("th", null, h)));
    table.appendChild(hr);
    const total = S.totalWeight();
    let limiting = null;
    C.forEach((c, i) => {
      const tr = el("tr");
      tr.appendChild(el("td", null, S.labelOf(i)));
      tr.appendChild(el("td", null, fmtRaw(view.raw(i), c.unit)));
      if (c.weighted) {
        const sc = view.score(i);
        const w = total > 0 ? S.weights[i] / total : 0;
        tr.appendChild(el("td", null, fmt(sc, 2)));
        tr.appendChild(el("td", null, Math.round(100 * w) + "%"));
        const cell = el("td");
        const bar = el("div", "sitesel-bar");
        const part = w * (Number.isFinite(sc) ? sc : 0);
        bar.style.width = Math.round(100 * part) + "px";
        cell.appendChild(bar);
        cell.appendChild(el("span", "sitesel-bar-label", fmt(part, 3)));
        tr.appendChild(cell);
        if (w > 0 && Number.isFinite(sc) && (limiting === null || sc < limiting.score)) {
          limiting = { name: S.labelOf(i), score: sc };
        }
      } else {
        tr.appendChild(el("td", null, "-"));
        tr.appendChild(el("td", null, t("not weighted")));
        tr.appendChild(el("td"));
      }
      table.appendChild(tr);
    });
    return { table, limiting };
  }
  function extrasOf(s, card) {
    const extras = data.extras || {};
    Object.keys(extras).forEach((label) => {
      const column = extras[label];
      if (column.kinds) { // land flags: a kind of flag and its measure ("6.5 km from ")
        const flags = column.sites[s];
        if (!flags.length) return;
        const box = el("div", "sitesel-card-flags");
        box.appendChild(el("div", null, t("Land flags (the site still ranks):")));
        const list = el("ul");
        flags.forEach((f) => list.appendChild(el("li", null, f[1] + column.kinds[f[0]])));
        box.appendChild(list);
        card.appendChild(box);
        return;
      }
      const v = Array.isArray(column) ? column[s] : column.u[column.i[s]];
      if (v === "" || (label === "region" && v === "0")) return;
      card.appendChild(el("div", "sitesel-card-extra", t(label) + ": " + t(v)));
    });
  }
  // view: id, place, rankText, excluded, reason, suitability, area_ha, raw(i), score(i),
  // latlng, and optionally site (a vector site's index: its extras and routes) and note.
  function showCard(view) {
    const card = el("div", "sitesel-card");
    card.dataset.site = view.id;
    const head = el("div", "sitesel-card-head");
    head.appendChild(el("b", null, t("Site {id}", { id: view.id }) + (view.place ? ", " + view.place : "")));
    head.appendChild(el("span", "sitesel-card-rank", view.excluded ? t("excluded") : view.rankText));
    card.appendChild(head);
    if (view.excluded) card.appendChild(el("div", "sitesel-card-reason", t("Excluded") + ": " + view.reason));
    card.appendChild(el("div", null, t("Suitability") + " " + fmt(view.suitability, 3) +
      (Number.isFinite(view.area_ha) ? " \u00b7 " + t("area") + " " + fmt(view.area_ha, 1) + " " + t("ha") : "")));
    const { table, limiting } = criteriaTable(view);
    card.appendChild(table);
    if (view.site !== undefined) extrasOf(view.site, card);
    if (limiting) {
      card.appendChild(el("div", "sitesel-card-limit",
        t("Limiting criterion: {name} (score {score})", { name: limiting.name, score: fmt(limiting.score, 2) })));
    }
    if (view.note) card.appendChild(el("div", "sitesel-note", view.note));
    S.drawRoutes(view.site, card);
    popup.setLatLng(view.latlng).setContent(card).openOn(S.map);
  }
  function nullable(v) { return v === null || v === undefined ? NaN : v; }
  function openCard(s) {
    showCard({
      site: s,
      id: data.ids[s],
      place: data.place && data.place[s] ? data.place[s] : "",
      rankText: t("rank {rank} of {of}", { rank: S.rank[s], of: S.order.length }),
      excluded: Boolean(data.excluded[s]),
      reason: data.reason[s],
      suitability: S.suit[s],
      area_ha: nullable(data.area_ha[s]),
      raw: (i) => nullable(data.raw[i][s]),
      score: (i) => nullable(data.score[i][s]),
      latlng: S.siteLayers[s].getBounds().getCenter(),
    });
  }
  Object.assign(S, { popup, openCard, showCard, limitingOf });
}
