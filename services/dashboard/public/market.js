// @ts-check
/** Market page: candlestick chart, the book (bid/ask from the same snapshot), a depth chart and the trade tape, refreshed every few seconds. */
(function () {
  'use strict';
  // @ts-ignore
  var Live = window.Live; var LWC = window.LightweightCharts;
  var F = Live.fmt;
  var dataEl = document.getElementById('page-data');
  var data = JSON.parse(dataEl ? dataEl.textContent || '{}' : '{}');
  function esc(/** @type {any} */ v) { return String(v).replace(/[&<>"']/g, function (c) { return ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] || c; }); }

  // ------------------------------------------------------------ depth chart (SVG: cumulative quantity by price)
  var depthEl = document.getElementById('depth-chart');
  function drawDepth(/** @type {any} */ depth) {
    if (!depthEl) return;
    if (!depth || (!depth.bids.length && !depth.asks.length)) { depthEl.innerHTML = ''; depthEl.hidden = true; return; }
    depthEl.hidden = false;
    var W = 600, H = 180, pad = 18;
    var cum = function (/** @type {any[]} */ levels) { var t = 0; return levels.map(function (l) { t += Number(l[1]); return [Number(l[0]), t]; }); };
    var bids = cum(depth.bids), asks = cum(depth.asks);
    var prices = bids.concat(asks).map(function (p) { return p[0]; });
    var lo = Math.min.apply(null, prices), hi = Math.max.apply(null, prices);
    var maxQ = Math.max(bids.length ? bids[bids.length - 1][1] : 0, asks.length ? asks[asks.length - 1][1] : 0) || 1;
    var x = function (/** @type {number} */ p) { return hi > lo ? ((p - lo) / (hi - lo)) * W : W / 2; };
    var y = function (/** @type {number} */ q) { return H - pad - (q / maxQ) * (H - 2 * pad); };
    // a step area per side, from the best price outwards
    var area = function (/** @type {number[][]} */ pts) {
      if (!pts.length) return '';
      var d = 'M' + x(pts[0][0]).toFixed(1) + ',' + (H - pad), prev = 0;
      pts.forEach(function (p) { d += ' L' + x(p[0]).toFixed(1) + ',' + y(prev).toFixed(1) + ' L' + x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1); prev = p[1]; });
      return d + ' L' + x(pts[pts.length - 1][0]).toFixed(1) + ',' + (H - pad) + ' Z';
    };
    depthEl.innerHTML = '<svg viewBox="0 0 ' + W + ' ' + H + '" preserveAspectRatio="none" aria-hidden="true">' +
      '<path class="bids" data-side="bids" data-levels="' + bids.length + '" d="' + area(bids) + '"/>' +
      '<path class="asks" data-side="asks" data-levels="' + asks.length + '" d="' + area(asks) + '"/>' +
      '<text x="2" y="' + (H - 4) + '">' + esc(F.money(lo)) + '</text><text x="' + (W - 2) + '" y="' + (H - 4) + '" text-anchor="end">' + esc(F.money(hi)) + '</text>' +
      '<text x="2" y="12">' + esc(F.qty(maxQ)) + ' cumulative</text></svg>';
  }
  drawDepth(data.depth);

  // ------------------------------------------------------------ book, bid/ask and trades from one poll
  function rows(/** @type {string} */ id, /** @type {any[]} */ levels, /** @type {string} */ cls) {
    var tb = document.querySelector('#' + id + ' tbody');
    if (!tb) return;
    tb.innerHTML = levels.map(function (l) { return '<tr><td class="num ' + cls + '">' + esc(F.money(l[0])) + '</td><td class="num">' + esc(F.qty(l[1])) + '</td></tr>'; }).join('');
  }
  function set(/** @type {string} */ k, /** @type {string} */ v) { var e = document.querySelector('[data-tick="' + k + '"]'); if (e && e.textContent !== v) e.textContent = v; }
  function showBook(/** @type {any} */ b) {
    var t = b.ticker || {};
    set('price', F.money(t.price));
    set('bid', F.money(t.bid));
    set('ask', F.money(t.ask));
    set('spread', t.spread ? F.money(t.spread) + (t.spreadBps != null ? ' (' + t.spreadBps + ' bps)' : '') : '—');
    set('bookTime', F.time(b.bookTime) + (b.bookSource === 'ticker' ? ' (best bid/ask tick)' : ''));
    var has = !!b.depth;
    ['book', 'book-note'].forEach(function (id) { var e = document.getElementById(id); if (e) e.hidden = !has; });
    var none = document.getElementById('no-book'); if (none) none.hidden = has;
    if (has) { rows('book-bids', b.depth.bids, 'pos'); rows('book-asks', b.depth.asks, 'neg'); }
    drawDepth(b.depth);
    var tb = document.querySelector('#recent-trades tbody');
    if (tb) {
      tb.innerHTML = (b.trades || []).map(function (/** @type {any} */ x) {
        return '<tr><td data-label="Time">' + esc(F.time(x.time)) + '</td><td data-label="Taker"><span class="side side-' + esc(x.side) + '">' + esc(x.side) + '</span></td><td data-label="Price" class="num">' + esc(F.money(x.price)) + '</td><td data-label="Qty" class="num">' + esc(F.qty(x.quantity)) + '</td></tr>';
      }).join('');
      var nt = document.getElementById('no-market-trades'); if (nt && b.trades && b.trades.length) nt.remove();
    }
    document.documentElement.dataset.bookRefreshedAt = String(Date.now());
  }
  function refreshBook() {
    fetch('/market/book?symbol=' + encodeURIComponent(data.symbol), { headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) { if (b) showBook(b); })
      .catch(function (e) { console.warn('book refresh failed', e.message); })
      .finally(function () { setTimeout(refreshBook, Live.bookRefreshMs || 2000); });
  }
  setTimeout(refreshBook, Live.bookRefreshMs || 2000);

  // ------------------------------------------------------------ candles
  var el = document.getElementById('market-chart');
  if (!el || !LWC) return;
  var chart = LWC.createChart(el, {
    autoSize: true,
    layout: { background: { color: '#ffffff' }, textColor: '#16191d', attributionLogo: false },
    grid: { vertLines: { color: '#eef1f4' }, horzLines: { color: '#eef1f4' } },
    // @ts-ignore the shared chart script's date labels (the same axes as the strategy page)
    timeScale: { timeVisible: true, secondsVisible: false, tickMarkFormatter: window.StrategyChart ? window.StrategyChart.tickMark : undefined },
  });
  // @ts-ignore the page's light or dark colours, as the strategy charts
  if (window.StrategyChart) chart.applyOptions(window.StrategyChart.themeOptions());
  var series = chart.addSeries(LWC.CandlestickSeries, { upColor: '#0a6b2c', downColor: '#b0001e', borderVisible: false, wickUpColor: '#0a6b2c', wickDownColor: '#b0001e' });
  // a minute the exchange has not confirmed yet is drawn grey until its correction replaces it
  var PROVISIONAL = '#8a939c';
  var bar = function (/** @type {any} */ c) {
    var b = { time: Math.floor(c.openTime / 1000), open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close) };
    return c.provisional ? Object.assign(b, { color: PROVISIONAL, wickColor: PROVISIONAL, borderColor: PROVISIONAL }) : b;
  };
  /** @type {any[]} */
  var shown = (data.candles || []).slice();
  series.setData(shown.map(bar));
  chart.timeScale().fitContent();
  function refresh() {
    fetch('/live/market?symbol=' + encodeURIComponent(data.symbol) + '&limit=30', { headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) {
        if (!m) return;
        var redraw = false;
        (m.candles || []).forEach(function (/** @type {any} */ c) {
          var last = shown.length ? shown[shown.length - 1].openTime : 0;
          if (c.openTime > last) { shown.push(c); series.update(bar(c)); return; }
          if (c.openTime === last) { shown[shown.length - 1] = c; series.update(bar(c)); return; }
          // an earlier minute changed: a provisional one corrected
          for (var i = shown.length - 1; i >= 0 && shown[i].openTime >= c.openTime; i--) {
            if (shown[i].openTime === c.openTime && (shown[i].provisional !== c.provisional || shown[i].close !== c.close)) { shown[i] = c; redraw = true; }
          }
        });
        if (redraw) series.setData(shown.map(bar));
      })
      .catch(function (e) { console.warn('market refresh failed', e.message); })
      .finally(function () { setTimeout(refresh, Live.candleRefreshMs || 5000); });
  }
  setTimeout(refresh, Live.candleRefreshMs || 5000);
})();
