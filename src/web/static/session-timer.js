// Warns shortly before the idle end of the session (R7.1). Without JavaScript the page still says
// how long it stays open, and a meta refresh takes it to the logon page after the end.
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
    // Reloading the page is a request, which is what keeps the session alive.
    extend.addEventListener('click', function (event) {
      event.preventDefault();
      window.location.assign(window.location.pathname + window.location.search);
    });
  }
  tick();
})();
