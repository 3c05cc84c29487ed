/* handoff-chat loader: the one script a site owner pastes.
 * Classic script (no module). Defines one global, the page API `window.HandoffChat`, and
 * creates one host element with an open shadow root holding the widget stylesheet and a
 * launcher drawn at once, without waiting for the wasm. The wasm is fetched when the
 * browser is idle or on the visitor's first interaction with the launcher, whichever comes
 * first; a click (or an API call) made before it is ready takes effect as soon as it is.
 * Configuration: the script tag's data-* attributes, over which a page may lay
 * `window.HandoffChat = {config: {...}}` defined before this script (same names,
 * camelCase). */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="handoff-chat.js"]');
  if (!script || document.querySelector("[data-handoff-chat]")) return;
  var base = new URL(".", script.src).href;
  var attributes = {};
  var name;
  for (name in script.dataset) attributes[name] = script.dataset[name];
  var preset = window.HandoffChat && window.HandoffChat.config;
  if (preset && typeof preset === "object") {
    for (name in preset) if (preset[name] != null) attributes[name] = String(preset[name]);
  }
  var mark = function (what) {
    if (window.performance && performance.mark) performance.mark("handoff-chat:" + what);
  };

  // The page API. Calls made before the widget is ready are queued, in order.
  var listeners = {};
  var queued = [];
  var command = null;
  // The widget reports events as a name and a list of values (see core's page_events).
  function emit(type, values) {
    var v = values || [];
    var detail = /^message-/.test(type)
      ? { author: v[0], sender: v[1], text: v[2], id: v[3] || null, timestamp: v[4] }
      : /^agent-/.test(type) ? { agent: v[0] }
      : type === "error" ? { message: v[0] } : {};
    (listeners[type] || []).slice().forEach(function (callback) {
      try {
        callback(detail);
      } catch (error) {
        console.error("handoff-chat: a listener for " + type + " failed", error);
      }
    });
    window.dispatchEvent(new CustomEvent("handoff-chat:" + type, { detail: detail }));
  }
  function call(name, argument) {
    var json = argument === undefined ? undefined : JSON.stringify(argument);
    if (command) command(name, json);
    else {
      queued.push([name, json]);
      load();
    }
  }
  var api = {
    open: function () { call("open"); },
    close: function () { call("close"); },
    toggle: function () { call("toggle"); },
    startChat: function () { call("startChat"); },
    endChat: function () { call("endChat"); },
    setContext: function (values) {
      if (!values || typeof values !== "object" || Array.isArray(values)) {
        console.error("handoff-chat: setContext takes a plain object, for example {plan: \"gold\"}");
        return;
      }
      call("setContext", values);
    },
    on: function (type, callback) {
      (listeners[type] = listeners[type] || []).push(callback);
    },
    off: function (type, callback) {
      listeners[type] = (listeners[type] || []).filter(function (c) { return c !== callback; });
    },
    config: preset
  };
  window.HandoffChat = api;

  var host = document.createElement("div");
  host.setAttribute("data-handoff-chat", "");
  // Read by the stylesheet before the wasm (validated there, which reports bad values).
  host.setAttribute("data-theme", attributes.theme || "auto");
  host.setAttribute("data-position", attributes.position || "right");
  var shadow = host.attachShadow({ mode: "open" });
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = base + "handoff-chat.css";
  var styled = new Promise(function (done) {
    style.onload = style.onerror = done;
  });
  var root = document.createElement("div");
  root.className = "hc-root";
  if (/^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(attributes.primaryColor || "")) {
    root.style.setProperty("--hc-primary", attributes.primaryColor);
  }
  shadow.appendChild(style);
  shadow.appendChild(root);

  // Mobile: the panel fills the visual viewport, so the composer stays above the keyboard.
  var viewport = window.visualViewport;
  if (viewport) {
    var fit = function () {
      root.style.setProperty("--hc-vh", viewport.height + "px");
      root.style.setProperty("--hc-vt", viewport.offsetTop + "px");
    };
    viewport.addEventListener("resize", fit);
    viewport.addEventListener("scroll", fit);
    fit();
  }

  // The page's language, then the browser's (data-locale wins, in the widget).
  var locale = document.documentElement.lang || navigator.language || "en-US";
  // The same markup as the widget's own launcher, so the swap is invisible.
  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "hc-launcher";
  // The launcher's name in each language with a locales/ module, by primary subtag. The
  // build fills it in from locales/*.js (scripts/loader-labels.mjs); unbuilt, it is empty.
  var labels = { "@launcher-labels": "" };
  // Own keys only: a page's `data-locale="constructor"` must not reach Object.prototype.
  function label(lang) {
    return Object.prototype.hasOwnProperty.call(labels, lang) ? labels[lang] : undefined;
  }
  launcher.setAttribute("aria-label", attributes.launcherLabel ||
    label((attributes.locale || locale).split(/[-_]/)[0].toLowerCase()) || "Open chat");
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
  // English is built in; another language's strings are a small module of their own,
  // fetched alongside the wasm.
  var lang = (attributes.locale || locale).split(/[-_]/)[0].toLowerCase();
  function translation() {
    if (!label(lang)) return Promise.resolve(undefined);
    return import(base + "locales/" + lang + ".js").then(function (module) {
      return [lang].concat(module.default);
    }, function (error) {
      console.warn("handoff-chat: no " + lang + " strings, showing English", error);
    });
  }
  // Rich content (markdown, cards, citations, ...) is a module of its own: fetched at once
  // when the widget shows something that needs it (`data-rich`), else when the browser is
  // idle after the chat starts. It then draws those elements itself and posts the
  // visitor's card actions back through the widget.
  var rich = null;
  function loadRich() {
    if (rich) return;
    var sheet = document.createElement("link");
    sheet.rel = "stylesheet";
    sheet.href = base + "handoff-chat-rich.css";
    shadow.insertBefore(sheet, root);
    rich = import(base + "handoff-chat-rich.js").then(function (module) {
      return module.default({ module_or_path: base + "handoff-chat-rich_bg.wasm" }).then(function () {
        watch.disconnect();
        module.observe(root, function (json) { command("cardAction", json); });
      });
    }).catch(function (error) {
      console.warn("handoff-chat: rich content could not load, showing text", error);
    });
  }
  var watch = new MutationObserver(function () {
    if (root.querySelector("[data-rich]")) loadRich();
    else if (root.querySelector(".hc-transcript")) (window.requestIdleCallback || setTimeout)(loadRich);
  });
  watch.observe(root, { childList: true, subtree: true });
  function load() {
    if (loading) return loading;
    loading = Promise.all([import(base + "handoff-chat-widget.js"), translation()])
      .then(function (loaded) {
        var glue = loaded[0];
        return glue.default({ module_or_path: base + "handoff-chat-widget_bg.wasm" }).then(function () {
          return styled;
        }).then(function () {
          var hadFocus = shadow.activeElement === launcher;
          launcher.remove();
          command = glue.mount(root, attributes, locale, openRequested, emit, loaded[1]);
          mark("ready");
          emit("ready");
          queued.splice(0).forEach(function (c) { command(c[0], c[1]); });
          if (hadFocus && !openRequested) {
            var own = root.querySelector(".hc-launcher");
            if (own) own.focus();
          }
        });
      })
      .catch(function (error) {
        launcher.removeAttribute("aria-busy");
        console.error("handoff-chat: the widget could not load from " + base, error);
        emit("error", ["The chat could not load."]);
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
      if (!command) root.appendChild(launcher);
      mark("launcher");
    });
    if (attributes.startOpen !== undefined && attributes.startOpen !== "false") load();
    var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 1); };
    idle(load, { timeout: 2000 });
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
