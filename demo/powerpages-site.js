/* The Power Pages site's own script (external: the site's CSP blocks inline scripts). Loaded
 * in <head>, before the pasted widget tag, so it sees everything the widget does:
 * - records every CSP violation of the page in window.cspViolations;
 * - host behaviour the widget must not break: a click counter on the site's own button, a
 *   global "/" shortcut that focuses the site search (preventDefault only for that key on
 *   the page itself), a contact form that validates on submit;
 * - window.contosoSite.snapshot(): what the page looks like to its own CSS and scripts
 *   (computed styles, elements, globals; neither the widget's host element nor the pasted
 *   widget tag counts as the page's); powerpages-footer.js stores one taken before the
 *   widget tag runs, for the end-to-end tests to compare with one taken after a chat. */
(function () {
  "use strict";
  window.cspViolations = [];
  document.addEventListener("securitypolicyviolation", function (e) {
    window.cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
  });

  var site = { clicks: 0, shortcuts: 0, submitted: 0, before: null };
  window.contosoSite = site;

  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && (e.target === document.body || e.target === document.documentElement)) {
      e.preventDefault();
      site.shortcuts += 1;
      var search = document.getElementById("site-search");
      if (search) search.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("site-button");
    var count = document.getElementById("site-count");
    button.addEventListener("click", function () {
      site.clicks += 1;
      count.textContent = String(site.clicks);
    });
    var form = document.getElementById("site-form");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      site.submitted += 1;
    });
  });

  // Not the page's globals: ChromeDriver's helpers and frame indexes.
  var ignored = /^(cdc_|\$cdc_|se_exportedFunctionSymbol$|ret_nodes$|[0-9]+$)/;
  site.snapshot = function () {
    var style = function (selector, props) {
      var computed = getComputedStyle(document.querySelector(selector));
      var out = {};
      props.forEach(function (p) { out[p] = computed.getPropertyValue(p); });
      return out;
    };
    var text = ["font-family", "font-size", "line-height", "letter-spacing", "color", "direction"];
    var box = ["text-transform", "border-top-width", "background-color", "padding-top", "height", "margin-bottom", "box-sizing"];
    var widgetHost = function (e) { return e.hasAttribute("data-handoff-chat"); };
    // The pasted widget tag is the site's own markup, parsed after the footer snapshot.
    var pasted = function (e) { return e.tagName === "SCRIPT" && /handoff-chat\.js$/.test(e.getAttribute("src") || ""); };
    var own = function (e) { return !widgetHost(e) && !pasted(e); };
    var all = Array.prototype.slice.call(document.querySelectorAll("*"));
    return {
      title: document.title,
      html: style("html", ["font-size"].concat(text)),
      body: style("body", text.concat(["background-color", "margin-top"])),
      btn: style("#site-submit", text.concat(box)),
      siteButton: style("#site-button", text.concat(box)),
      formControl: style("#site-email", text.concat(box)),
      row: style(".row", ["margin-bottom", "margin-left", "display"]),
      h1: style("h1", text),
      headChildren: Array.prototype.map.call(document.head.children, function (e) {
        return e.tagName + (e.getAttribute("href") || e.getAttribute("src") || "");
      }),
      bodyChildren: Array.prototype.filter.call(document.body.children, own)
        .map(function (e) { return e.tagName + (e.id ? "#" + e.id : ""); }),
      elements: all.filter(own).length,
      widgetHosts: all.filter(widgetHost).length,
      styleSheets: document.styleSheets.length,
      adoptedStyleSheets: document.adoptedStyleSheets.length,
      globals: Object.keys(window).filter(function (k) { return !ignored.test(k); }).sort(),
    };
  };
})();
