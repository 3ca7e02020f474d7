// @ts-check
/** Strategy page: candlesticks with indicators and trade markers (lightweight-charts), equity and drawdown (chart.js), live updates. */
(function () {
  'use strict';
  // @ts-ignore
  var Live = window.Live; var LWC = window.LightweightCharts; var ChartJs = window.Chart;
  var F = Live.fmt;
  var dataEl = document.getElementById('page-data');
  var data = JSON.parse(dataEl ? dataEl.textContent || '{}' : '{}');
  Live.params = { strategy: data.strategyId };
  var COLORS = ['#1f5fbf', '#b35c00', '#7a2aa8', '#00796b', '#a1003b', '#4d5560'];
  var sec = function (/** @type {number} */ ms) { return Math.floor(ms / 1000); };
  var minuteSec = function (/** @type {number} */ ms) { return Math.floor(ms / 60000) * 60; };

  // ------------------------------------------------------------ price chart
  var priceEl = document.getElementById('price-chart');
  var chart = null, candleSeries = null, markersApi = null;
  /** @type {any[]} */ var markers = [];
  var lastCandleTime = 0;
  if (priceEl && LWC) {
    chart = LWC.createChart(priceEl, {
      autoSize: true,
      layout: { background: { color: '#ffffff' }, textColor: '#16191d', attributionLogo: false },
      grid: { vertLines: { color: '#eef1f4' }, horzLines: { color: '#eef1f4' } },
      timeScale: { timeVisible: true, secondsVisible: false },
      rightPriceScale: { borderColor: '#d3d8de' },
    });
    candleSeries = chart.addSeries(LWC.CandlestickSeries, { upColor: '#0a6b2c', downColor: '#b0001e', borderVisible: false, wickUpColor: '#0a6b2c', wickDownColor: '#b0001e' });
    candleSeries.setData((data.candles || []).map(toBar));
    if (data.candles && data.candles.length) lastCandleTime = data.candles[data.candles.length - 1].openTime;
    (data.indicators || []).forEach(function (/** @type {any} */ ind, /** @type {number} */ i) {
      var s = chart.addSeries(LWC.LineSeries, { color: COLORS[i % COLORS.length], lineWidth: 2, title: ind.name, priceLineVisible: false, lastValueVisible: false }, ind.overlay ? 0 : 1);
      s.setData(ind.points.map(function (/** @type {any} */ p) { return { time: sec(p.time), value: p.value }; }));
    });
    markersApi = LWC.createSeriesMarkers(candleSeries, []);
    (data.trades || []).slice().reverse().forEach(function (/** @type {any} */ t) { addMarker(t, false); });
    flushMarkers();
    chart.timeScale().fitContent();
  }
  function toBar(/** @type {any} */ c) { return { time: sec(c.openTime), open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close) }; }
  function addMarker(/** @type {any} */ t, /** @type {boolean} */ flush) {
    var buy = t.side === 'buy';
    // a marker outside the loaded candles would be pinned to the chart's edge: leave it out
    var first = data.candles && data.candles.length ? data.candles[0].openTime : 0;
    if (first && t.time < first) return;
    markers.push({ time: minuteSec(t.time), position: buy ? 'belowBar' : 'aboveBar', color: buy ? '#0a6b2c' : '#b0001e', shape: buy ? 'arrowUp' : 'arrowDown', text: (buy ? 'B ' : 'S ') + F.qty(t.quantity) });
    if (flush) flushMarkers();
  }
  function flushMarkers() {
    if (!markersApi) return;
    markers.sort(function (a, b) { return a.time - b.time; });
    markersApi.setMarkers(markers);
  }

  // ------------------------------------------------------------ equity + drawdown
  var eqPts = (data.equity || []).map(function (/** @type {any} */ p) { return { x: p.time, y: Number(p.equity) }; });
  var ddPts = (data.drawdown || []).map(function (/** @type {any} */ p) { return { x: p.time, y: p.drawdownPct }; });
  var peak = eqPts.reduce(function (/** @type {number} */ m, /** @type {any} */ p) { return Math.max(m, p.y); }, -Infinity);
  function lineChart(/** @type {string} */ id, /** @type {any[]} */ pts, /** @type {string} */ label, /** @type {string} */ color, /** @type {boolean} */ fill) {
    var el = /** @type {HTMLCanvasElement|null} */ (document.getElementById(id));
    if (!el || !ChartJs) return null;
    return new ChartJs(el, {
      type: 'line',
      data: { datasets: [{ label: label, data: pts, borderColor: color, backgroundColor: fill ? 'rgba(176,0,30,0.15)' : 'rgba(31,95,191,0.08)', fill: fill ? 'origin' : false, pointRadius: 0, borderWidth: 2, tension: 0 }] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
        plugins: { legend: { display: false }, tooltip: { callbacks: { title: function (/** @type {any} */ items) { return items.length ? F.time(items[0].parsed.x) : ''; } } } },
        scales: {
          x: { type: 'linear', ticks: { maxTicksLimit: 6, callback: function (/** @type {any} */ v) { return new Date(Number(v)).toISOString().slice(11, 16); } } },
          y: { ticks: { maxTicksLimit: 6 } },
        },
      },
    });
  }
  var equityChart = lineChart('equity-chart', eqPts, 'Equity', '#1f5fbf', false);
  var ddChart = lineChart('drawdown-chart', ddPts, 'Drawdown %', '#b0001e', true);
  function pushEquity(/** @type {number} */ time, /** @type {number} */ equity) {
    if (!isFinite(equity)) return;
    if (eqPts.length && eqPts[eqPts.length - 1].x >= time) return;
    eqPts.push({ x: time, y: equity });
    peak = Math.max(peak, equity);
    ddPts.push({ x: time, y: peak > 0 ? ((equity - peak) / peak) * 100 : 0 });
    if (equityChart) equityChart.update('none');
    if (ddChart) ddChart.update('none');
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
    tr.className = 'flash';
    tr.innerHTML = '<td data-label="Time"><time datetime="' + new Date(t.time).toISOString() + '">' + esc(F.time(t.time)) + '</time></td><td data-label="Side"><span class="side side-' + esc(t.side) + '">' + esc(String(t.side).toUpperCase()) + '</span> ' + F.roleTag(t.reason) + '</td><td data-label="Qty" class="num">' + esc(F.qty(t.quantity)) + '</td><td data-label="Price" class="num">' + esc(F.money(t.price)) + '</td><td data-label="Fill">' + fillCell(t.provenance) + '</td><td data-label="Fee" class="num">' + esc(F.money(t.fee)) + '</td><td data-label="Realized PnL" class="num ' + F.signClass(t.realizedPnl) + '">' + esc(F.signed(t.realizedPnl)) + '</td><td data-label="Reason">' + esc(t.reason || '') + '</td>';
    tbody.insertBefore(tr, tbody.firstChild);
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
          ['stats', 'positions', 'orders', 'round-trips'].forEach(function (k) { var el = document.getElementById(k + '-panel'); if (el && typeof p[k] === 'string') el.innerHTML = p[k]; });
        })
        .catch(function (e) { console.warn('panel refresh failed', e.message); });
    }, wait);
  }
  function onTrade(/** @type {any} */ t) {
    if (!addTradeRow(t)) return;
    refreshPanels();
    addMarker(t, true);
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
  });
  Live.on('snapshot', function (/** @type {any} */ snap) {
    var s = (snap.strategies || []).find(function (/** @type {any} */ x) { return x.id === data.strategyId; });
    if (s) { onAccount(s); onStatus(s.status, s.error); }
    (snap.trades || []).slice().reverse().forEach(onTrade);
    (snap.equity || []).forEach(function (/** @type {any} */ p) { pushEquity(p.time, Number(p.equity)); });
  });

  // candles are not pushed as events: refresh the newest ones every few seconds
  function refreshCandles() {
    if (!candleSeries) return;
    fetch('/live/market?symbol=' + encodeURIComponent(data.symbol || 'BTCUSDT') + '&limit=5', { headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) {
        if (!m || !m.candles) return;
        var noc = document.getElementById('no-candles'); if (noc && m.candles.length) noc.remove();
        m.candles.forEach(function (/** @type {any} */ c) { if (c.openTime >= lastCandleTime) { candleSeries.update(toBar(c)); lastCandleTime = c.openTime; } });
        if (m.lastPrice) kpi('lastPrice', F.money(m.lastPrice));
      })
      .catch(function (e) { console.warn('candle refresh failed', e.message); })
      .finally(function () { setTimeout(refreshCandles, Live.candleRefreshMs || 5000); });
  }
  setTimeout(refreshCandles, Live.candleRefreshMs || 5000);
})();
