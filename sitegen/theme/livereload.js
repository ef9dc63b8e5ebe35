// sitegen serve: reload the page after a rebuild, show a failed build over the page.
// Served only by `sitegen serve` at /__sitegen/livereload.js; never written into the site.
// The site's CSP allows same-origin scripts only, and no inline styles: the overlay is styled through
// the CSSOM and every message is inserted as text, never as HTML.
(function () {
  "use strict";
  if (!window.EventSource) {
    return;
  }
  var OVERLAY_ID = "sitegen-build-error";
  var serverId = null;
  var source = new EventSource("/__sitegen/events");

  function removeOverlay() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) {
      old.remove();
    }
  }

  function styled(element, properties) {
    Object.keys(properties).forEach(function (name) {
      element.style.setProperty(name, properties[name]);
    });
    return element;
  }

  function showOverlay(message) {
    removeOverlay();
    var box = styled(document.createElement("div"), {
      position: "fixed", inset: "auto 0 0 0", "z-index": "2147483647", "max-height": "60vh", overflow: "auto",
      margin: "0", padding: "1rem 1.25rem", background: "#2b0b0b", color: "#ffe9e9",
      "border-top": "4px solid #d55e00", font: "14px/1.45 system-ui, sans-serif",
      "box-shadow": "0 -4px 24px rgba(0, 0, 0, 0.35)",
    });
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    var title = document.createElement("strong");
    title.textContent = "sitegen: the last change did not build. This page is the last good build.";
    var text = styled(document.createElement("pre"), {
      margin: "0.75rem 0", "white-space": "pre-wrap", "overflow-wrap": "anywhere",
      font: "13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace",
    });
    text.textContent = message;
    var hint = document.createElement("span");
    hint.textContent = "Fix it and save: the page reloads when the build succeeds. ";
    var close = styled(document.createElement("button"), { font: "inherit", cursor: "pointer" });
    close.type = "button";
    close.textContent = "Hide";
    close.addEventListener("click", removeOverlay);
    box.append(title, text, hint, close);
    document.body.append(box);
  }

  source.addEventListener("hello", function (event) {
    // A new server id means `sitegen serve` restarted: the page may be stale.
    if (serverId !== null && serverId !== event.data) {
      window.location.reload();
    }
    serverId = event.data;
  });
  source.addEventListener("reload", function () {
    window.location.reload();
  });
  source.addEventListener("error", function (event) {
    // "error" is also how EventSource reports a lost connection; only server events carry data.
    if (typeof event.data === "string") {
      showOverlay(event.data);
    }
  });
})();
