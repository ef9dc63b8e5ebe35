/* sitegen charts: swap each static chart for an interactive view (tooltips, hover), as an enhancement.
 *
 * Every chart is already on the page as a static SVG with alt text and a data table. This script, on
 * pages with charts and screens wide enough for the wide picture, fetches each chart's Vega-Lite spec
 * (charts/<id>.vl.json, a separate file: the page has no inline script or style), loads the vendored
 * runtime from ./vendor/, renders the view off-screen and only then shows it instead of the picture.
 * On any failure (no fetch, file:// pages, an old browser, a render error) the static picture stays.
 *
 * CSP: runs under `script-src 'self'; style-src 'self'`. vega-embed gets `ast: true` with the
 * vega-interpreter, so no expression is compiled with Function/eval; no <style> element is injected
 * (defaultStyle: false, tooltip disableDefaultStyle: true; site.css styles the tooltip).
 */
(function () {
  "use strict";

  var WIDE_ENOUGH = "(min-width: 30.01rem)"; // below this the narrow static picture is shown
  var RUNTIME = ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "vega-interpreter.min.js"];
  var script = document.currentScript;

  if (!script || !window.fetch || !window.Promise || !window.matchMedia || !document.querySelectorAll) return;
  var figures = Array.prototype.slice.call(document.querySelectorAll("figure.chart[data-spec]"));
  if (!figures.length || !window.matchMedia(WIDE_ENOUGH).matches) return;
  var vendor = new URL("vendor/", script.src).href;

  function loadScript(name) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = vendor + name;
      element.async = false;
      element.onload = resolve;
      element.onerror = function () { reject(new Error("could not load " + name)); };
      document.head.appendChild(element);
    });
  }

  function loadRuntime() {
    return RUNTIME.reduce(function (previous, name) {
      return previous.then(function () { return loadScript(name); });
    }, Promise.resolve()).then(function () {
      if (!window.vegaEmbed || !window.vegaInterpreter || !window.vegaInterpreter.expressionInterpreter) {
        throw new Error("chart runtime incomplete");
      }
    });
  }

  function fetchSpec(figure) {
    return fetch(figure.getAttribute("data-spec"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (spec) { return { figure: figure, spec: spec }; })
      .catch(function () { return null; }); // this chart keeps its picture
  }

  function enhance(item) {
    var figure = item.figure;
    var picture = figure.querySelector(".chart-picture");
    if (!picture) return Promise.resolve();
    var view = document.createElement("div");
    view.className = "chart-interactive";
    view.setAttribute("role", "img");
    ["aria-labelledby", "aria-describedby"].forEach(function (name) {
      var value = picture.getAttribute(name);
      if (value) view.setAttribute(name, value);
    });
    picture.parentNode.insertBefore(view, picture.nextSibling);
    return window.vegaEmbed(view, item.spec, {
      mode: "vega-lite",
      renderer: "svg",
      actions: false,
      defaultStyle: false,
      ast: true,
      expr: window.vegaInterpreter.expressionInterpreter,
      tooltip: { disableDefaultStyle: true, theme: "sitegen" },
    }).then(function () {
      // As with the static picture, the wrapper (role="img", named, described) speaks for the view.
      var svg = view.querySelector("svg");
      if (svg) svg.setAttribute("aria-hidden", "true");
      figure.classList.add("is-interactive"); // site.css now hides the picture, shows the view
    }).catch(function () {
      if (view.parentNode) view.parentNode.removeChild(view);
    });
  }

  Promise.all(figures.map(fetchSpec)).then(function (items) {
    items = items.filter(Boolean);
    if (!items.length) return null;
    return loadRuntime().then(function () {
      return Promise.all(items.map(enhance));
    });
  }).catch(function () { /* the static pictures stay */ });
})();
