/* panels: the top-sites table, why sites are excluded, the weight sliders (with Reset,
 * Copy as YAML and the print buttons) and the north arrow. Adds to S: panel, redrawTop,
 * showWeights, imageNote. S.panel is set first: other modules add their own panels. */

function sitesel_panel(S) {
  S.panel = function panel(position, cls, build) {
    const ctl = L.control({ position: position });
    ctl.onAdd = function () {
      const div = sitesel_format.el("div", "sitesel-panel " + cls);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      build(div);
      return div;
    };
    ctl.addTo(S.map);
    return ctl;
  };
}

function sitesel_panels(S) {
  const { el, fmt, t, count } = sitesel_format;
  const data = S.data;
  const weighted = S.weighted;

  let topList = null;
  S.panel("bottomleft", "sitesel-top", (div) => {
    div.appendChild(el("b", null, t("Top {n} sites", { n: data.top_n })));
    const table = el("table", "sitesel-top-table");
    const head = el("tr");
    ["#", t("site"), t("suitability"), t("limiting factor"), t("area")]
      .forEach((h) => head.appendChild(el("th", null, h)));
    table.appendChild(head);
    topList = el("tbody");
    topList.id = "sitesel-top-list";
    table.appendChild(topList);
    div.appendChild(table);
  });
  function redrawTop() {
    topList.replaceChildren();
    const w = S.normalisedWeights();
    S.order.slice(0, data.top_n).forEach((s, k) => {
      const tr = el("tr");
      tr.dataset.site = data.ids[s];
      tr.appendChild(el("td", null, String(k + 1)));
      const name = el("td", null, data.place && data.place[s] ? data.place[s] : data.ids[s]);
      name.title = data.ids[s];
      tr.appendChild(name);
      tr.appendChild(el("td", null, fmt(S.suit[s], 3)));
      tr.appendChild(el("td", null, S.limitingOf(s, w)));
      tr.appendChild(el("td", null, fmt(data.area_ha[s], 0) + " " + t("ha")));
      tr.addEventListener("click", () => {
        S.map.fitBounds(S.siteLayers[s].getBounds(), { maxZoom: 14 });
        S.openCard(s);
      });
      tr.addEventListener("mouseenter", () => S.highlight(s, true));
      tr.addEventListener("mouseleave", () => S.highlight(s, false));
      topList.appendChild(tr);
    });
    S.placeBadges();
  }

  // Why sites are excluded: fixed by the constraints, whatever the weights.
  S.panel("bottomleft", "sitesel-constraints", (div) => {
    let counts = {};
    let excludedCount = 0;
    let total = S.n;
    if (data.counts) { // a big map: counted over all sites, most drawn as an image
      counts = data.counts.reasons;
      excludedCount = data.counts.excluded;
      total = data.counts.sites;
    } else {
      for (let s = 0; s < S.n; s++) {
        if (!data.excluded[s]) continue;
        excludedCount += 1;
        data.reason[s].split("; ").forEach((r) => {
          if (r) counts[r] = (counts[r] || 0) + 1;
        });
      }
    }
    div.appendChild(el("b", null, t("Excluded: {n} of {total} sites",
      { n: count(excludedCount), total: count(total) })));
    const list = el("ul");
    list.id = "sitesel-constraint-list";
    Object.keys(counts).sort((a, b) => counts[b] - counts[a] || (a < b ? -1 : 1)).slice(0, 8)
      .forEach((r) => list.appendChild(el("li", null, r + ": " + count(counts[r]))));
    div.appendChild(list);
    div.appendChild(el("div", "sitesel-note", t("A site can fail several.")));
  });

  const sliders = {};
  let yamlBox = null;
  function weightsYaml() {
    const total = S.totalWeight();
    const lines = ["criteria:"];
    weighted.forEach((i) => {
      lines.push("  " + data.criteria[i].name + ":");
      lines.push("    weight: " + (total > 0 ? (S.weights[i] / total).toFixed(3) : "0"));
    });
    return lines.join("\n");
  }
  function methodText() {
    if (!S.live) {
      return t("Sliders off: too many candidate sites to re-rank in the page; the ranking is" +
        " sitesel's (change weights in the config and rerun)");
    }
    if (!S.slidersWork) {
      return t("Sliders off: the map cannot re-rank with {method}; the ranking is sitesel's",
        { method: S.AGG.method });
    }
    return t("Re-ranked as sitesel ranks: {method}", { method: t(S.AGG.label || S.AGG.method) });
  }
  function slider(i) {
    const row = el("div", "sitesel-weight-row");
    const name = el("span", "sitesel-weight-name", S.labelOf(i));
    name.title = S.labelOf(i);
    row.appendChild(name);
    const input = el("input");
    input.type = "range";
    input.min = "0";
    input.max = "100";
    input.step = "1";
    input.value = String(Math.round(100 * S.initial[i]));
    input.dataset.criterion = data.criteria[i].name;
    input.disabled = !S.slidersWork;
    const out = el("span", "sitesel-weight-value");
    input.addEventListener("input", () => {
      S.weights[i] = Number(input.value) / 100;
      S.update(false);
    });
    sliders[i] = { input: input, out: out };
    row.appendChild(input);
    row.appendChild(out);
    return row;
  }
  function button(id, text, onClick) {
    const b = el("button", null, text);
    b.id = id;
    b.addEventListener("click", onClick);
    return b;
  }
  S.panel("topright", "sitesel-weights", (div) => {
    div.appendChild(el("b", null, t("Weights")));
    div.appendChild(el("div", "sitesel-method", methodText()));
    S.imageNote = el("div", "sitesel-image-note");
    div.appendChild(S.imageNote);
    weighted.forEach((i) => div.appendChild(slider(i)));
    const buttons = el("div", "sitesel-buttons");
    buttons.appendChild(button("sitesel-reset", t("Reset"), () => {
      S.weights = Object.assign({}, S.initial);
      weighted.forEach((i) => { sliders[i].input.value = String(Math.round(100 * S.initial[i])); });
      S.rank = data.rank.slice();
      yamlBox.value = "";
      yamlBox.style.display = "none";
      S.update(true);
    }));
    buttons.appendChild(button("sitesel-copy-yaml", t("Copy as YAML"), () => {
      yamlBox.value = weightsYaml();
      yamlBox.style.display = "block";
      yamlBox.select();
      if (navigator.clipboard) navigator.clipboard.writeText(yamlBox.value).catch(() => {});
    }));
    ["A4", "A3"].forEach((size) => {
      buttons.appendChild(button("sitesel-print-" + size.toLowerCase(), t("Print {size}", { size: size }), () => {
        S.preparePrint(size);
        window.print();
      }));
    });
    div.appendChild(buttons);
    yamlBox = el("textarea", "sitesel-yaml");
    yamlBox.id = "sitesel-yaml";
    yamlBox.readOnly = true;
    yamlBox.rows = weighted.length * 2 + 1;
    div.appendChild(yamlBox);
  });
  function showWeights() {
    const total = S.totalWeight();
    weighted.forEach((i) => {
      sliders[i].out.textContent = (total > 0 ? Math.round(100 * S.weights[i] / total) : 0) + "%";
    });
  }

  S.panel("topleft", "sitesel-north", (div) => {
    div.appendChild(el("div", "sitesel-north-arrow", "\u25b2"));
    div.appendChild(el("div", null, t("N")));
  });
  Object.assign(S, { redrawTop, showWeights });
}
