// Connect also serves this app's index at its vanity URL, but Dash Pages routes
// only paths under the content prefix (/content/<GUID>/): at any other path its
// router callback fails and the page stays empty. So, before Dash starts, send
// the browser to the content URL, which every page, link and reload works under.
(function () {
  var config = document.getElementById("_dash-config");
  if (!config) {
    return;
  }
  var prefix = JSON.parse(config.textContent).requests_pathname_prefix || "/";
  var here = window.location.pathname;
  if (here.indexOf(prefix) === 0 || here === prefix.replace(/\/$/, "")) {
    return;
  }
  window.location.replace(prefix + window.location.search + window.location.hash);
  window.DashRenderer = function () {}; // the page is leaving: do not start Dash here
})();
