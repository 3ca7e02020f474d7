// @ts-check
/** Strategy page: the shared strategy chart, equity and drawdown (strategy-chart.js over lightweight-charts), live updates. */
(function () {
  'use strict';
  // @ts-ignore
  var Live = window.Live;
  var F = Live.fmt;
  var dataEl = document.getElementById('page-data');
  var data = JSON.parse(dataEl ? dataEl.textContent || '{}' : '{}');
  Live.params = { strategy: data.strategyId };

  // ------------------------------------------------------------ price chart (shared with the HTML report)
  // @ts-ignore
  var SC = window.StrategyChart;
  var strategyChart = SC ? SC.mount(document.getElementById('price-chart'), {
    timeframes: ['1m', '5m', '15m', '1h', '4h', '1d'],
    timeframe: '1m',
    liveMs: Live.candleRefreshMs || 5000,
    page: function (/** @type {string} */ tf, /** @type {number|undefined} */ before, /** @type {any} */ o) {
      var q = '?timeframe=' + encodeURIComponent(tf) + (before !== undefined ? '&before=' + before : '') + (o && o.live ? '&live=1' : '');
      return fetch('/strategies/' + encodeURIComponent(data.strategyId) + '/chart' + q, { headers: { accept: 'application/json' } })
        .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); });
    },
  }) : null;
  function addMarker(/** @type {any} */ t) { if (strategyChart) strategyChart.addTrade(t); }

  // ------------------------------------------------------------ equity + drawdown (time axes with dates, as the price chart)
  var eqPts = (data.equity || []).map(function (/** @type {any} */ p) { return { time: p.time, value: Number(p.equity) }; });
  var ddPts = (data.drawdown || []).map(function (/** @type {any} */ p) { return { time: p.time, value: p.drawdownPct }; });
  var peak = eqPts.reduce(function (/** @type {number} */ m, /** @type {any} */ p) { return Math.max(m, p.value); }, -Infinity);
  var lastEqTime = eqPts.length ? eqPts[eqPts.length - 1].time : -Infinity;
  var equityChart = SC ? SC.line(document.getElementById('equity-chart'), eqPts, { color: '#1f5fbf', title: 'equity' }) : null;
  var ddChart = SC ? SC.line(document.getElementById('drawdown-chart'), ddPts, { color: '#b0001e', title: 'drawdown', area: true, percent: true }) : null;
  function pushEquity(/** @type {number} */ time, /** @type {number} */ equity) {
    if (!isFinite(equity) || time <= lastEqTime) return;
    lastEqTime = time;
    peak = Math.max(peak, equity);
    if (equityChart) equityChart.update({ time: time, value: equity });
    if (ddChart) ddChart.update({ time: time, value: peak > 0 ? ((equity - peak) / peak) * 100 : 0 });
  }

  // ------------------------------------------------------------ live
  function kpi(/** @type {string} */ k, /** @type {string} */ text, /** @type {string=} */ cls) {
    var el = document.querySelector('[data-kpi="' + k + '"]');
    if (!el || el.textContent === text) return;
    el.textContent = text;
    if (cls !== undefined) { el.classList.remove('pos', 'neg'); if (cls) el.classList.add(cls); }
    el.classList.remove('flash'); void /** @type {HTMLElement} */ (el).offsetWidth; el.classList.add('flash');
  }
  var tbody = document.querySelector('#trades tbody');
  function esc(/** @type {any} */ s) { return String(s).replace(/[&<>"']/g, function (c) { return ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] || c; }); }
  /** book or modelled, and the rule (as trade-rows.eta renders it) */
  function fillCell(/** @type {any} */ p) {
    if (!p || !p.source) return '<span title="recorded before fills said where their price came from">—</span>';
    var what = p.source === 'book' ? 'priced from the live book or public trades' : 'priced by a model (no fresh book)';
    return '<span class="badge fill-' + esc(p.source) + '" title="' + esc(what + ': ' + p.model) + '">' + esc(p.source) + '</span> <small>' + esc(p.model) + '</small>';
  }
  function addTradeRow(/** @type {any} */ t) {
    if (!tbody || !t.side) return false;
    if (t.tradeId && tbody.querySelector('tr[data-trade-id="' + CSS.escape(String(t.tradeId)) + '"]')) return false;
    var none = document.getElementById('no-trades'); if (none) none.remove();
    var tr = document.createElement('tr');
    tr.dataset.tradeId = String(t.tradeId || '');
    tr.dataset.time = String(t.time);
    tr.className = 'flash';
    tr.innerHTML = '<td data-label="Time"><time datetime="' + new Date(t.time).toISOString() + '">' + esc(F.time(t.time)) + '</time></td><td data-label="Side"><span class="side side-' + esc(t.side) + '">' + esc(String(t.side).toUpperCase()) + '</span> ' + F.roleTag(t.reason) + '</td><td data-label="Qty" class="num">' + esc(F.qty(t.quantity)) + '</td><td data-label="Price" class="num">' + esc(F.money(t.price)) + '</td><td data-label="Fill">' + fillCell(t.provenance) + '</td><td data-label="Fee" class="num">' + esc(F.money(t.fee)) + '</td><td data-label="Realized PnL" class="num ' + F.signClass(t.realizedPnl) + '">' + esc(F.signed(t.realizedPnl)) + '</td><td data-label="Reason">' + esc(t.reason || '') + '</td>';
    // newest first: a trade reloaded after a gap goes below the ones that came live since
    var later = Array.prototype.find.call(tbody.children, function (/** @type {HTMLElement} */ row) { return !(Number(row.dataset.time) > t.time); });
    tbody.insertBefore(tr, later || null);
    while (tbody.children.length > 50) tbody.removeChild(/** @type {Node} */ (tbody.lastChild));
    return true;
  }
  // statistics, positions and orders change with every fill: re-render them (debounced)
  // (at most every 3 s: each refresh costs the API four reads, and it limits requests per client)
  var panelsTimer = 0, panelsAt = 0;
  function refreshPanels() {
    clearTimeout(panelsTimer);
    var wait = Math.max(750, panelsAt + 3000 - Date.now());
    panelsTimer = window.setTimeout(function () {
      panelsAt = Date.now();
      fetch('/strategies/' + encodeURIComponent(data.strategyId) + '/panels', { headers: { accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (!p) return;
          ['stats', 'positions', 'orders', 'round-trips', 'warmup'].forEach(function (k) { var el = document.getElementById(k + '-panel'); if (el && typeof p[k] === 'string') el.innerHTML = p[k]; });
        })
        .catch(function (e) { console.warn('panel refresh failed', e.message); });
    }, wait);
  }
  // a parity check of this strategy finished (scheduled, or asked for elsewhere): show it without a reload
  function refreshParity() {
    fetch('/strategies/' + encodeURIComponent(data.strategyId) + '/panels/parity', { headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        var el = document.getElementById('parity-panel');
        if (el && p && typeof p.parity === 'string') el.innerHTML = p.parity;
      })
      .catch(function (e) { console.warn('parity refresh failed', e.message); });
  }
  // warm-up progress moves with every closed candle: look again while it is not complete
  function warmupTick() {
    var w = document.getElementById('warmup');
    if (w && w.dataset.ready === 'false') refreshPanels();
    setTimeout(warmupTick, Live.warmupRefreshMs || 30000);
  }
  setTimeout(warmupTick, Live.warmupRefreshMs || 30000);
  function onTrade(/** @type {any} */ t) {
    if (!addTradeRow(t)) return;
    refreshPanels();
    addMarker(t);
    var tc = document.querySelector('[data-kpi="tradeCount"]');
    var n = tc ? Number(tc.textContent) : NaN;
    if (isFinite(n)) kpi('tradeCount', String(n + 1));
  }
  function onAccount(/** @type {any} */ p) {
    if (p.equity != null) kpi('equity', F.money(p.equity));
    var pnl = p.pnl != null ? p.pnl : (data.initialCash && p.equity != null ? String(Number(p.equity) - Number(data.initialCash)) : null);
    if (pnl != null) kpi('pnl', F.signed(pnl), F.signClass(pnl));
    if (p.realizedPnl != null) kpi('realizedPnl', F.signed(p.realizedPnl));
    if (p.unrealizedPnl != null) kpi('unrealizedPnl', F.signed(p.unrealizedPnl));
    if (p.positionQty != null) kpi('positionQty', F.qty(p.positionQty));
    if (p.lastPrice != null) kpi('lastPrice', F.money(p.lastPrice));
    if (typeof p.tradeCount === 'number') kpi('tradeCount', String(p.tradeCount));
  }
  function onStatus(/** @type {string} */ status, /** @type {any} */ error) {
    var b = document.getElementById('status-badge');
    if (b) { b.className = 'badge status-' + status; b.textContent = status; }
    var e = document.getElementById('strategy-error');
    if (e) { e.textContent = error || ''; e.hidden = !error; }
    if (status === 'stopped') document.querySelectorAll('.stop-form').forEach(function (f) { /** @type {HTMLElement} */ (f).hidden = true; });
  }
  Live.on('event', function (/** @type {any} */ ev) {
    var p = ev.payload || {};
    if (p.strategyId && p.strategyId !== data.strategyId) return;
    if (ev.type === 'strategy.order.filled') onTrade(p);
    else if (ev.type === 'strategy.equity.updated') { onAccount(p); if (p.time && p.equity != null) pushEquity(p.time, Number(p.equity)); }
    else if (ev.type === 'strategy.status.changed') onStatus(p.status, p.error);
    else if (ev.type === 'strategy.parity.checked') refreshParity();
  });
  // events were missed while the dashboard had no connection to the API: reload the panels they would
  // have changed (the numbers, trades and equity come with the snapshot live.js reads on a resync)
  Live.on('resync', function () { refreshPanels(); refreshParity(); });
  Live.on('snapshot', function (/** @type {any} */ snap) {
    var s = (snap.strategies || []).find(function (/** @type {any} */ x) { return x.id === data.strategyId; });
    // trades first: each new one counts itself, then the snapshot's own trade count has the last word
    (snap.trades || []).slice().reverse().forEach(onTrade);
    if (s) { onAccount(s); onStatus(s.status, s.error); }
    (snap.equity || []).forEach(function (/** @type {any} */ p) { pushEquity(p.time, Number(p.equity)); });
  });

})();
