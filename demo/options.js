// Builds the widget's script tag from the query string (a site owner writes it by hand),
// and lists the page API's events. Also used by the end-to-end tests.
//
// Only the presentational and survey options below pass through: a link to this page must
// never choose where the widget connects (directline-url, token-url, hub urls, secret), or
// it would send the visitor's token and survey answers to any host.
(function () {
  var ALLOWED = ["title", "subtitle", "theme", "position", "primary-color", "locale",
    "launcher-label", "start-open", "greeting", "privacy", "survey-fields", "survey-required",
    "case-number-pattern", "persist"];
  var params = new URLSearchParams(location.search);
  if (params.has("page-lang")) document.documentElement.lang = params.get("page-lang");
  var tag = document.createElement("script");
  tag.src = "/handoff-chat.js";
  tag.setAttribute("data-directline-url", "/v3/directline");
  tag.setAttribute("data-token-url", "/api/directline/token");
  params.forEach(function (value, name) {
    if (ALLOWED.indexOf(name) >= 0) tag.setAttribute("data-" + name, value);
  });
  var names = ["ready", "opened", "closed", "message-received", "message-sent",
    "handoff-started", "agent-joined", "agent-left", "chat-ended", "error"];
  window.pageEvents = [];
  tag.onload = function () {
    // The widget's wasm is not loaded yet: these calls are queued by the loader.
    names.forEach(function (name) {
      window.addEventListener("handoff-chat:" + name, function (event) {
        window.pageEvents.push({ name: name, detail: event.detail });
        var item = document.createElement("li");
        item.textContent = name + " " + JSON.stringify(event.detail);
        document.getElementById("events").appendChild(item);
      });
    });
    if (params.has("context")) window.HandoffChat.setContext(JSON.parse(params.get("context")));
  };
  document.body.appendChild(tag);
})();
