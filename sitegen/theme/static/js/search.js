// Search, as an enhancement: without JavaScript the page says search needs it and links to the indexes.
// With it, the Pagefind bundle built with the site (pagefind/) answers queries in the browser, offline
// from any host path. Results are built as DOM nodes from text; no inline script or style, no eval
// (Pagefind's WebAssembly needs only 'wasm-unsafe-eval' on this page).
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || typeof window.URL !== "function") return;
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var root = new URL(box.getAttribute("data-root"), window.location.href);
  var bundle = new URL(box.getAttribute("data-bundle"), window.location.href).href;
  var loading = null;
  var latest = 0;
  var timer = 0;

  function pagefind() {
    if (!loading) {
      loading = import(bundle).then(function (module) {
        return Promise.resolve(module.init ? module.init() : null).then(function () { return module; });
      });
    }
    return loading;
  }

  function plain(html) {
    // Pagefind's excerpts mark matches with <mark>; keep the words only.
    return new DOMParser().parseFromString(html || "", "text/html").body.textContent || "";
  }

  function show(query, pages) {
    list.textContent = "";
    pages.forEach(function (data) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = new URL(String(data.url).replace(/^\/+/, ""), root).href;
      link.textContent = (data.meta && data.meta.title) || data.url;
      item.appendChild(link);
      var excerpt = document.createElement("p");
      excerpt.textContent = plain(data.excerpt);
      item.appendChild(excerpt);
      list.appendChild(item);
    });
    status.textContent = pages.length
      ? pages.length + (pages.length === 1 ? " page matches “" : " pages match “") + query + "”."
      : "Nothing matches “" + query + "”.";
  }

  function run() {
    var query = input.value.trim();
    var ticket = ++latest;
    if (!query) {
      list.textContent = "";
      status.textContent = "";
      return;
    }
    status.textContent = "Searching…";
    pagefind()
      .then(function (module) { return module.search(query); })
      .then(function (found) {
        return Promise.all(found.results.slice(0, 20).map(function (result) { return result.data(); }));
      })
      .then(function (pages) { if (ticket === latest) show(query, pages); })
      .catch(function () {
        if (ticket !== latest) return;
        status.textContent = "Search could not load here.";
        document.getElementById("search-nojs").hidden = false;
      });
  }

  document.getElementById("search-nojs").hidden = true;
  box.hidden = false;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 150);
  });
  var given = new URLSearchParams(window.location.search).get("q");
  if (given) {
    input.value = given;
    run();
  }
})();
