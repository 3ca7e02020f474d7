// @ts-check
/** Start page: validates the YAML through the dashboard (which asks the API) and shows problems under their lines. */
(function () {
  'use strict';
  var btn = /** @type {HTMLButtonElement|null} */ (document.getElementById('validate-btn'));
  var ta = /** @type {HTMLTextAreaElement|null} */ (document.getElementById('configYaml'));
  var out = document.getElementById('yaml-problems');
  if (!btn || !ta || !out) return;
  function esc(/** @type {any} */ s) { return String(s).replace(/[&<>"']/g, function (c) { return ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] || c; }); }
  /** Mirrors views/yaml-view.eta. */
  function render(/** @type {string} */ yaml, /** @type {any[]} */ problems) {
    var lines = yaml.split('\n');
    /** @type {Record<number, any[]>} */ var byLine = {};
    /** @type {any[]} */ var general = [];
    problems.forEach(function (p) {
      if (p.line && p.line >= 1 && p.line <= lines.length) (byLine[p.line] = byLine[p.line] || []).push(p);
      else general.push(p);
    });
    var html = '';
    if (general.length) html += '<ul class="error-box general-problems">' + general.map(function (p) { return '<li>' + (p.path ? esc(p.path) + ': ' : '') + esc(p.message) + '</li>'; }).join('') + '</ul>';
    html += '<ol class="yaml-view" aria-label="Config with problems shown under their lines">';
    lines.forEach(function (text, i) {
      var ps = byLine[i + 1];
      html += '<li' + (ps ? ' class="has-problem"' : '') + ' data-line="' + (i + 1) + '"><span class="ln" aria-hidden="true">' + (i + 1) + '</span><span>' + (esc(text) || ' ') + '</span></li>';
      (ps || []).forEach(function (p) {
        html += '<li class="problem" data-problem-line="' + (i + 1) + '" role="note">Line ' + (i + 1) + (p.column ? ', column ' + p.column : '') + ': ' + esc(p.message) + (p.path ? ' (' + esc(p.path) + ')' : '') + '</li>';
      });
    });
    return html + '</ol>';
  }
  btn.addEventListener('click', function () {
    if (!btn || !ta || !out) return;
    var yaml = ta.value;
    btn.disabled = true;
    btn.textContent = 'Validating…';
    fetch('/start/validate', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ yaml: yaml }) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        if (!out || !ta) return;
        if (!res.ok) { out.innerHTML = '<p class="error-box" role="alert">' + esc(res.body.error || 'validation failed') + '</p>'; return; }
        if (res.body.isValid) {
          out.innerHTML = '<p class="ok-box" id="yaml-valid">Valid' + (res.body.name ? ': ' + esc(res.body.name) : '') + '. You can start it.</p>';
          ta.removeAttribute('aria-invalid');
        } else {
          out.innerHTML = '<p class="error-box" role="alert">' + res.body.problems.length + ' problem' + (res.body.problems.length === 1 ? '' : 's') + ' found.</p>' + render(yaml, res.body.problems);
          ta.setAttribute('aria-invalid', 'true');
        }
      })
      .catch(function (e) { if (out) out.innerHTML = '<p class="error-box" role="alert">' + esc(e.message) + '</p>'; })
      .finally(function () { if (btn) { btn.disabled = false; btn.textContent = 'Validate'; } });
  });
})();
