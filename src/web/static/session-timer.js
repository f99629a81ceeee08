// Warns shortly before the idle end of the session (R7.1), and at the end reloads the page, which
// leads to the logon page. Without JavaScript the page still says how long it stays open, and a meta
// refresh inside <noscript> (src/web/layout.ts) takes it to the logon page after the end; with this
// script that refresh does not apply, so 延長する moves the end and nothing reloads the page early.
(function () {
  'use strict';
  var idleSeconds = Number(document.body.getAttribute('data-idle-seconds'));
  if (!(idleSeconds > 0)) return;
  var warning = document.getElementById('idle-warning');
  var extend = document.getElementById('idle-extend');
  var info = document.getElementById('idle-info');
  if (!warning) return;
  var leadSeconds = Math.min(60, Math.floor(idleSeconds / 2));
  var deadline = Date.now() + idleSeconds * 1000;
  function tick() {
    var left = Math.round((deadline - Date.now()) / 1000);
    if (left <= leadSeconds) {
      warning.hidden = false;
      if (info) info.hidden = true;
      warning.setAttribute('data-seconds-left', String(Math.max(0, left)));
    }
    if (left <= 0) {
      window.location.assign(window.location.pathname + window.location.search);
      return;
    }
    window.setTimeout(tick, 1000);
  }
  if (extend) {
    // Any request of the session keeps it alive. A HEAD request of this very page asks for it in
    // the background, so what the person has typed on the page stays as it is; the page is left
    // only when the session has already ended (the answer then leads to the logon page).
    extend.addEventListener('click', function (event) {
      event.preventDefault();
      fetch(window.location.pathname + window.location.search, { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' })
        .then(function (answer) {
          if (!answer.ok || answer.redirected) {
            window.location.assign(answer.redirected ? answer.url : window.location.pathname + window.location.search);
            return;
          }
          deadline = Date.now() + idleSeconds * 1000;
          warning.hidden = true;
          if (info) info.hidden = false;
        })
        .catch(function () {
          window.location.assign(window.location.pathname + window.location.search);
        });
    });
  }
  tick();
})();
