/* handoff-chat loader: the one script a site owner pastes.
 * Classic script (no module, no globals). Finds its own URL and creates one host element with
 * an open shadow root holding the widget stylesheet and a launcher drawn at once, without
 * waiting for the wasm. The wasm is fetched when the browser is idle or on the visitor's
 * first interaction with the launcher, whichever comes first; a click made before it is
 * ready opens the chat as soon as it is. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="handoff-chat.js"]');
  if (!script || document.querySelector("[data-handoff-chat]")) return;
  var base = new URL(".", script.src).href;
  var attributes = {};
  for (var name in script.dataset) attributes[name] = script.dataset[name];
  var mark = function (what) {
    if (window.performance && performance.mark) performance.mark("handoff-chat:" + what);
  };

  var host = document.createElement("div");
  host.setAttribute("data-handoff-chat", "");
  var shadow = host.attachShadow({ mode: "open" });
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = base + "handoff-chat.css";
  var styled = new Promise(function (done) {
    style.onload = style.onerror = done;
  });
  var root = document.createElement("div");
  root.className = "hc-root";
  shadow.appendChild(style);
  shadow.appendChild(root);

  // The same markup as the widget's own launcher, so the swap is invisible.
  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "hc-launcher";
  launcher.setAttribute("aria-label", "Open chat");
  launcher.setAttribute("aria-expanded", "false");
  var svgNs = "http://www.w3.org/2000/svg";
  var icon = document.createElementNS(svgNs, "svg");
  var iconAttrs = { viewBox: "0 0 24 24", width: "28", height: "28", "aria-hidden": "true" };
  for (var a in iconAttrs) icon.setAttribute(a, iconAttrs[a]);
  var path = document.createElementNS(svgNs, "path");
  var pathAttrs = { d: "M4 5h16v11H8l-4 4z", fill: "none", stroke: "currentColor", "stroke-width": "2", "stroke-linejoin": "round" };
  for (var p in pathAttrs) path.setAttribute(p, pathAttrs[p]);
  icon.appendChild(path);
  launcher.appendChild(icon);

  var openRequested = false;
  var loading = null;
  function load() {
    if (loading) return loading;
    loading = import(base + "handoff-chat-widget.js")
      .then(function (glue) {
        return glue.default({ module_or_path: base + "handoff-chat-widget_bg.wasm" }).then(function () {
          return styled;
        }).then(function () {
          var hadFocus = shadow.activeElement === launcher;
          launcher.remove();
          glue.mount(root, attributes, navigator.language || "en-US", openRequested);
          mark("ready");
          if (hadFocus && !openRequested) {
            var own = root.querySelector(".hc-launcher");
            if (own) own.focus();
          }
        });
      })
      .catch(function (error) {
        launcher.removeAttribute("aria-busy");
        console.error("handoff-chat: the widget could not load from " + base, error);
      });
    return loading;
  }
  launcher.addEventListener("click", function () {
    openRequested = true;
    launcher.setAttribute("aria-busy", "true");
    load();
  });
  ["pointerenter", "focus", "touchstart"].forEach(function (type) {
    launcher.addEventListener(type, load, { once: true, passive: true });
  });

  function start() {
    document.body.appendChild(host);
    styled.then(function () {
      root.appendChild(launcher);
      mark("launcher");
    });
    var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 1); };
    idle(load, { timeout: 2000 });
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
