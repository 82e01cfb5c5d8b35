/* The console's live regions: a page refreshes part of itself without reloading.
 *
 * An element with an id and data-live-url is replaced, every data-live-every seconds (default 5),
 * by the element with the same id on the page at data-live-url, fetched with the browser's console
 * session (the same log-in and permission as any page). The fetched element carries the next
 * address (for example a newer change-feed cursor); when it has data-live-unchanged only that
 * address is kept. A failed fetch (network, logged out, service off) keeps what is shown, marks
 * the region data-live-stale and tries again. Without JavaScript the page's own refresh link works.
 */
(function () {
  "use strict";

  function later(id) {
    var shown = document.getElementById(id);
    if (!shown) { return; }
    var every = Math.max(1, parseInt(shown.getAttribute("data-live-every") || "5", 10)) * 1000;
    window.setTimeout(function () { poll(id); }, every);
  }

  function poll(id) {
    var shown = document.getElementById(id);
    if (!shown) { return; }
    fetch(shown.getAttribute("data-live-url"), {credentials: "same-origin", cache: "no-store"})
      .then(function (answer) {
        if (!answer.ok || answer.redirected) { throw new Error("HTTP " + answer.status); }
        return answer.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
        if (!fresh || !fresh.hasAttribute("data-live-url")) { throw new Error("no live region"); }
        if (fresh.hasAttribute("data-live-unchanged")) {
          shown.setAttribute("data-live-url", fresh.getAttribute("data-live-url"));
          shown.removeAttribute("data-live-stale");
        } else {
          shown.replaceWith(document.importNode(fresh, true));
        }
      })
      .catch(function () {
        var still = document.getElementById(id);
        if (still) { still.setAttribute("data-live-stale", ""); }
      })
      .then(function () { later(id); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var regions = document.querySelectorAll("[data-live-url][id]");
    for (var i = 0; i < regions.length; i += 1) { later(regions[i].id); }
  });
}());
