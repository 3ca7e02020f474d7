// @ts-check
/** Overview page: patches strategy rows from live events and snapshots (no page reload). */
(function () {
  'use strict';
  // @ts-ignore
  var Live = window.Live;
  var tbody = document.querySelector('#strategies tbody');
  var F = Live.fmt;

  function esc(/** @type {any} */ s) {
    return String(s).replace(/[&<>"']/g, function (c) { return ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] || c; });
  }

  function row(/** @type {string} */ id) {
    return /** @type {HTMLTableRowElement|null} */ (tbody && tbody.querySelector('tr[data-strategy-id="' + CSS.escape(id) + '"]'));
  }

  /** Builds a row for a strategy that appeared after the page was rendered (mirrors overview.eta). */
  function ensureRow(/** @type {any} */ s) {
    var tr = row(s.id);
    if (tr || !tbody) return tr;
    var none = document.getElementById('no-strategies');
    if (none) none.remove();
    tr = document.createElement('tr');
    tr.dataset.strategyId = s.id;
    tr.dataset.initialCash = s.initialCash || '';
    var href = '/strategies/' + encodeURIComponent(s.id);
    tr.innerHTML =
      '<th scope="row" data-label="Strategy"><a href="' + href + '">' + esc(s.name || s.id) + '</a> <span class="muted small">' + esc(s.symbol || '') + '</span><div class="muted small strategy-id" data-field="id"><code>' + esc(s.id) + '</code></div><div class="row-error error-text" data-field="error" hidden></div></th>' +
      '<td data-label="Status"><span class="badge" data-field="status"></span></td>' +
      '<td data-label="Equity" class="num" data-field="equity">—</td>' +
      '<td data-label="PnL" class="num" data-field="pnl">—</td>' +
      '<td data-label="Position" class="num" data-field="position">—</td>' +
      '<td data-label="Trades" class="num" data-field="tradeCount">—</td>' +
      '<td data-label="Last trades"><ul class="last-trades" data-field="lastTrades"><li class="muted none">none yet</li></ul></td>' +
      '<td data-label="Actions"><form method="post" action="' + href + '/stop" class="inline stop-form" data-confirm="' + esc('Stop ' + (s.name || s.id) + ' (' + s.id + ')? Its working orders are cancelled; its position is kept.') + '"><input type="hidden" name="returnTo" value="/"><button type="submit" class="danger" aria-label="Stop ' + esc(s.name || s.id) + '">Stop</button></form></td>';
    tbody.appendChild(tr);
    return tr;
  }

  function cell(/** @type {Element} */ tr, /** @type {string} */ field) {
    return /** @type {HTMLElement|null} */ (tr.querySelector('[data-field="' + field + '"]'));
  }

  function setText(/** @type {HTMLElement|null} */ el, /** @type {string} */ text) {
    if (!el || el.textContent === text) return;
    el.textContent = text;
    el.classList.remove('flash');
    void el.offsetWidth;
    el.classList.add('flash');
  }

  function setPnl(/** @type {HTMLElement} */ tr, /** @type {any} */ pnl) {
    var el = cell(tr, 'pnl');
    if (!el || pnl === null || pnl === undefined) return;
    el.dataset.value = String(pnl);
    el.classList.remove('pos', 'neg');
    var c = F.signClass(pnl);
    if (c) el.classList.add(c);
    var init = Number(tr.dataset.initialCash);
    setText(el, F.signed(pnl) + (init > 0 ? ' (' + F.signed((Number(pnl) / init) * 100) + ' %)' : ''));
  }

  function setStatus(/** @type {HTMLElement} */ tr, /** @type {string} */ status, /** @type {any} */ error) {
    var badge = cell(tr, 'status');
    if (badge) { badge.className = 'badge status-' + status; setText(badge, status); }
    var err = cell(tr, 'error');
    if (err) { err.textContent = error || ''; err.hidden = !error; }
    var form = tr.querySelector('.stop-form');
    if (form) /** @type {HTMLElement} */ (form).hidden = status === 'stopped';
  }

  function addTrade(/** @type {HTMLElement} */ tr, /** @type {any} */ t) {
    var ul = cell(tr, 'lastTrades');
    if (!ul || !t || !t.side) return false;
    if (t.tradeId && ul.querySelector('[data-trade-id="' + CSS.escape(String(t.tradeId)) + '"]')) return false;
    var none = ul.querySelector('.none');
    if (none) none.remove();
    var time = t.time || Date.now();
    var li = document.createElement('li');
    li.dataset.tradeId = String(t.tradeId || '');
    li.dataset.time = String(time);
    var iso = new Date(time).toISOString();
    li.innerHTML = '<span class="side side-' + esc(t.side) + '">' + esc(String(t.side).toUpperCase()) + '</span> ' + F.roleTag(t.reason) + ' ' + esc(F.qty(t.quantity)) + ' @ ' + esc(F.money(t.price)) + ' <time class="muted small" datetime="' + iso + '">' + esc(F.time(t.time).slice(11)) + '</time>';
    li.classList.add('flash');
    // newest first: a trade read after a gap goes below the ones that came live since
    var later = Array.prototype.find.call(ul.children, function (/** @type {HTMLElement} */ x) { return !(Number(x.dataset.time) > time); });
    ul.insertBefore(li, later || null);
    while (ul.children.length > 3) ul.removeChild(/** @type {Node} */ (ul.lastChild));
    return true;
  }

  /** PnL as the API defines it (equity − initial cash): a poll carries it, a bus equity event only its equity. */
  function pnlOf(/** @type {HTMLElement} */ tr, /** @type {any} */ p) {
    if (p.pnl !== undefined && p.pnl !== null) return p.pnl;
    var init = tr.dataset.initialCash;
    if (init && p.equity !== undefined && p.equity !== null) return String(Number(p.equity) - Number(init));
    return null;
  }

  function touch() {
    var t = document.getElementById('updated-at');
    if (t) { t.textContent = F.time(Date.now()); t.setAttribute('datetime', new Date().toISOString()); }
  }

  Live.on('event', function (/** @type {any} */ ev) {
    var p = ev.payload || {};
    if (!p.strategyId) return;
    var tr = row(p.strategyId) || ensureRow({ id: p.strategyId, name: p.strategyId, symbol: p.symbol || '' });
    if (!tr) return;
    if (ev.type === 'strategy.equity.updated') {
      var eq = cell(tr, 'equity');
      if (eq && p.equity != null) { eq.dataset.value = String(p.equity); setText(eq, F.money(p.equity)); }
      setPnl(tr, pnlOf(tr, p));
      if (p.positionQty != null) setText(cell(tr, 'position'), F.qty(p.positionQty));
      if (typeof p.tradeCount === 'number') setText(cell(tr, 'tradeCount'), String(p.tradeCount));
    } else if (ev.type === 'strategy.order.filled') {
      if (addTrade(tr, p)) {
        var tc = cell(tr, 'tradeCount');
        var n = tc ? Number(tc.textContent) : NaN;
        if (tc && isFinite(n)) setText(tc, String(n + 1));
      }
    } else if (ev.type === 'strategy.status.changed') {
      setStatus(tr, p.status, p.error);
    }
    touch();
  });

  Live.on('snapshot', function (/** @type {any} */ snap) {
    (snap.strategies || []).forEach(function (/** @type {any} */ s) {
      var tr = ensureRow(s);
      if (!tr) return;
      if (s.initialCash) tr.dataset.initialCash = s.initialCash;
      var eq = cell(tr, 'equity');
      if (eq && s.equity != null) { eq.dataset.value = String(s.equity); setText(eq, F.money(s.equity)); }
      setPnl(tr, s.pnl);
      if (s.positionQty != null) setText(cell(tr, 'position'), F.qty(s.positionQty));
      if (typeof s.tradeCount === 'number') setText(cell(tr, 'tradeCount'), String(s.tradeCount));
      setStatus(tr, s.status, s.error);
      (s.lastTrades || []).slice().reverse().forEach(function (/** @type {any} */ t) { addTrade(tr, t); });
    });
    touch();
  });
})();
