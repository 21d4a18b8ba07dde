// tiergate dashboard: refresh <main> without a reload when the server says something changed.
// <main data-live="URL">: URL answers a short text that changes whenever the page would; polled every 2 s.
(function () {
  var main = document.querySelector('main[data-live]');
  if (!main) { return; }
  var url = main.getAttribute('data-live');
  var seen = null;
  function poll() {
    fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (mark) {
      if (mark === null) { return; }
      if (seen !== null && mark !== seen) {
        return fetch(location.href, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
          return r.text();
        }).then(function (html) {
          var fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('main');
          if (fresh) { main.innerHTML = fresh.innerHTML; }
          seen = mark;
        });
      }
      seen = mark;
    }).catch(function () { /* the server is restarting: try again next time */ })
      .then(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
