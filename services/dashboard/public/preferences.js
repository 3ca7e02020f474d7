// @ts-check
/**
 * The header's switches: colour theme (auto → dark → light) and times in UTC or the browser's own
 * zone. Both are cookies the server reads, so every page is rendered with them from the first
 * paint; flipping the time zone reloads the page so every time on it is re-rendered.
 */
(function () {
  'use strict';
  var root = document.documentElement;
  var ORDER = ['auto', 'dark', 'light'];
  var YEAR = 60 * 60 * 24 * 365;

  function setCookie(/** @type {string} */ name, /** @type {string} */ value) {
    document.cookie = name + '=' + encodeURIComponent(value) + '; Path=/; Max-Age=' + YEAR + '; SameSite=Lax';
  }

  var theme = document.getElementById('theme-toggle');
  if (theme) {
    theme.addEventListener('click', function () {
      var now = root.dataset.theme || 'auto';
      var next = ORDER[(ORDER.indexOf(now) + 1) % ORDER.length] || 'auto';
      setCookie('theme', next);
      root.dataset.theme = next;
      theme.dataset.themeChoice = next;
      theme.textContent = 'Theme: ' + next;
      window.dispatchEvent(new CustomEvent('themechange', { detail: next }));
    });
  }

  var time = document.getElementById('time-toggle');
  if (time) {
    time.addEventListener('click', function () {
      var isUtc = (root.dataset.timeZone || 'UTC') === 'UTC';
      var local = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
      setCookie('tz', isUtc ? local : 'UTC');
      window.location.reload();
    });
  }
})();
