// @ts-check
/** Market page: candlestick chart and top of book, refreshed every few seconds. */
(function () {
  'use strict';
  // @ts-ignore
  var Live = window.Live; var LWC = window.LightweightCharts;
  var F = Live.fmt;
  var dataEl = document.getElementById('page-data');
  var data = JSON.parse(dataEl ? dataEl.textContent || '{}' : '{}');
  var el = document.getElementById('market-chart');
  if (!el || !LWC) return;
  var chart = LWC.createChart(el, {
    autoSize: true,
    layout: { background: { color: '#ffffff' }, textColor: '#16191d', attributionLogo: false },
    grid: { vertLines: { color: '#eef1f4' }, horzLines: { color: '#eef1f4' } },
    timeScale: { timeVisible: true, secondsVisible: false },
  });
  var series = chart.addSeries(LWC.CandlestickSeries, { upColor: '#0a6b2c', downColor: '#b0001e', borderVisible: false, wickUpColor: '#0a6b2c', wickDownColor: '#b0001e' });
  var bar = function (/** @type {any} */ c) { return { time: Math.floor(c.openTime / 1000), open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close) }; };
  series.setData((data.candles || []).map(bar));
  chart.timeScale().fitContent();
  var last = data.candles && data.candles.length ? data.candles[data.candles.length - 1].openTime : 0;
  function set(/** @type {string} */ k, /** @type {string} */ v) { var e = document.querySelector('[data-tick="' + k + '"]'); if (e && e.textContent !== v) e.textContent = v; }
  function refresh() {
    fetch('/live/market?symbol=' + encodeURIComponent(data.symbol) + '&limit=5', { headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) {
        if (!m) return;
        (m.candles || []).forEach(function (/** @type {any} */ c) { if (c.openTime >= last) { series.update(bar(c)); last = c.openTime; } });
        if (m.lastPrice) set('price', F.money(m.lastPrice));
        if (m.bid) set('bid', F.money(m.bid));
        if (m.ask) set('ask', F.money(m.ask));
        if (m.bid && m.ask) { var sp = Number(m.ask) - Number(m.bid); var mid = (Number(m.ask) + Number(m.bid)) / 2; set('spread', F.money(sp) + ' (' + Math.round((sp / mid) * 1e6) / 100 + ' bps)'); }
      })
      .catch(function (e) { console.warn('market refresh failed', e.message); })
      .finally(function () { setTimeout(refresh, Live.candleRefreshMs || 5000); });
  }
  setTimeout(refresh, Live.candleRefreshMs || 5000);
})();
