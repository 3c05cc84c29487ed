/* handoff-chat loader: the one script a site owner pastes.
 * Classic script (no module, no globals). Finds its own URL, creates one host element with
 * an open shadow root holding the widget stylesheet, then loads the wasm from the same
 * folder and mounts the widget with the tag's data-* attributes. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="handoff-chat.js"]');
  if (!script || document.querySelector("[data-handoff-chat]")) return;
  var base = new URL(".", script.src).href;
  var attributes = {};
  for (var name in script.dataset) attributes[name] = script.dataset[name];

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

  function start() {
    document.body.appendChild(host);
    var wasm = import(base + "handoff-chat-widget.js").then(function (glue) {
      return glue.default({ module_or_path: base + "handoff-chat-widget_bg.wasm" }).then(function () {
        return glue;
      });
    });
    Promise.all([wasm, styled])
      .then(function (loaded) {
        loaded[0].mount(root, attributes, navigator.language || "en-US");
      })
      .catch(function (error) {
        console.error("handoff-chat: the widget could not load from " + base, error);
      });
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
