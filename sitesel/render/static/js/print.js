/* print: A4 or A3 landscape, controls hidden, the ranked sites filling the space the
 * panels leave. Adds to S: preparePrint, endPrint. */

function sitesel_print(S) {
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
    const box = S.map.getContainer();
    box.style.width = px(mm[0]) + "px";
    box.style.height = px(mm[1]) + "px";
    S.map.invalidateSize({ animate: false });
    S.map.options.zoomSnap = 0.1; // paper has no zoom buttons: fill it
    // The ranked sites fill the space the panels leave (left: tables, right: legend).
    const ranked = L.latLngBounds(S.order.map((s) => S.siteLayers[s].getBounds()));
    const target = ranked.isValid() ? ranked : S.sitesGroup.getBounds();
    S.map.fitBounds(target, { animate: false, paddingTopLeft: [450, 130], paddingBottomRight: [130, 20] });
    S.placeBadges();
  }
  function endPrint() {
    document.body.classList.remove("sitesel-print");
    const box = S.map.getContainer();
    box.style.width = "";
    box.style.height = "";
    S.map.invalidateSize({ animate: false });
    S.placeBadges();
  }
  window.addEventListener("afterprint", endPrint);
  Object.assign(S, { preparePrint, endPrint });
}
