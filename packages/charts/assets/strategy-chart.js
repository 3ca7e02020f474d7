// @ts-nocheck
/**
 * The strategy chart, shared by the dashboard's strategy page (served as /assets/strategy-chart.js)
 * and the HTML backtest report (inlined): candles with a volume pane, indicator series by kind
 * (price-scaled ones over the candles, every other group in a pane of its own; counts, indexes and
 * flags hidden until switched on; every series toggleable), a marker for every trade with its
 * entry/exit tag, a timeframe switch, history paged in as the user scrolls back, the forming candle
 * drawn faded and labelled provisional. Needs lightweight-charts' standalone build (window.LightweightCharts).
 *
 *   StrategyChart.mount(root, {
 *     timeframes: ['1m', '5m', …], timeframe: '1m',
 *     page(timeframe, before, { live }) → Promise<{ candles, forming, nextBefore, historyStart, indicators, trades }>,
 *                                                      // live: the periodic refresh, which may return just the newest candles
 *     liveMs: 5000,                                      // refresh the newest page (0: never)
 *   }) → { addTrade(trade), reload(), state() }
 *
 * Candles are CandleDto (decimal strings, epoch ms), indicators IndicatorSeriesDto (kind, points at
 * candle close times), trades TradeDto, as the API answers them.
 */
(function () {
  'use strict';
  var TF_MS = { '1m': 60000, '5m': 300000, '15m': 900000, '30m': 1800000, '1h': 3600000, '4h': 14400000, '1d': 86400000 };
  var COLORS = ['#1f5fbf', '#b35c00', '#7a2aa8', '#00796b', '#a1003b', '#4d5560', '#8a6d00', '#005f87'];
  var UP = '#0a6b2c', DOWN = '#b0001e';
  var HIDDEN_BY_DEFAULT = { count: true, boolean: true };
  var KIND_LABEL = { price: 'price', bounded: 'oscillator', unbounded: 'own scale', count: 'count / index', boolean: 'flag (0/1)' };
  /** how near the left edge (in bars) scrolling back loads the page before */
  var LOAD_MARGIN = 15;

  var sec = function (ms) { return Math.floor(ms / 1000); };
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }
  function tagOf(reason, side) {
    var r = String(reason || '').replace(/_/g, ' ').trim();
    return r || (side === 'buy' ? 'buy' : 'sell');
  }
  function isoMinute(ms) { return fullTime(ms / 1000); }
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  /** the page's time zone (the dashboard's UTC/local switch sets <html data-time-zone>), UTC otherwise */
  function timeZone() { return document.documentElement.dataset.timeZone || 'UTC'; }
  var partsCache = {};
  /** year, month (0–11), day and "HH:MM" of epoch seconds in the page's time zone */
  function parts(t) {
    var tz = timeZone();
    if (tz === 'UTC') { var d = new Date(t * 1000); return { y: d.getUTCFullYear(), m: d.getUTCMonth(), d: d.getUTCDate(), hm: d.toISOString().slice(11, 16) }; }
    var f = partsCache[tz] || (partsCache[tz] = new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }));
    var o = {};
    f.formatToParts(new Date(t * 1000)).forEach(function (p) { o[p.type] = p.value; });
    return { y: Number(o.year), m: Number(o.month) - 1, d: Number(o.day), hm: o.hour + ':' + o.minute };
  }
  /**
   * Time-axis labels that always say the date where it changes: "2026", "Mar 2026", "Mar 5", and
   * "14:30" within a day; the crosshair shows the full "2026-03-05 14:30" (in the page's time zone).
   */
  function tickMark(t, type) {
    var p = parts(t);
    switch (type) {
      case 0: return String(p.y);
      case 1: return MONTHS[p.m] + ' ' + p.y;
      case 2: return MONTHS[p.m] + ' ' + p.d;
      default: return p.hm;
    }
  }
  function pad2(n) { return (n < 10 ? '0' : '') + n; }
  function fullTime(t) { var p = parts(t); return p.y + '-' + pad2(p.m + 1) + '-' + pad2(p.d) + ' ' + p.hm + (timeZone() === 'UTC' ? ' UTC' : ''); }
  /** the page's colours (CSS variables of the dashboard's light or dark theme; the report has none) */
  function colours() {
    var cs = getComputedStyle(document.documentElement);
    var v = function (name, fallback) { return (cs.getPropertyValue(name) || '').trim() || fallback; };
    return { card: v('--card', '#ffffff'), text: v('--text', '#16191d'), border: v('--border', '#d3d8de'), grid: v('--head-bg', '#eef1f4') };
  }
  function themeOptions() {
    var c = colours();
    return {
      layout: { background: { color: c.card }, textColor: c.text, attributionLogo: false, panes: { separatorColor: c.border } },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
      rightPriceScale: { borderColor: c.border },
      timeScale: { borderColor: c.border },
    };
  }
  /** options every chart here shares: a time axis with dates, the page's colours, following theme changes */
  function baseOptions() {
    var o = themeOptions();
    o.autoSize = true;
    o.timeScale = { timeVisible: true, secondsVisible: false, rightOffset: 3, tickMarkFormatter: tickMark, borderColor: o.timeScale.borderColor };
    o.localization = { timeFormatter: fullTime };
    return o;
  }
  var charts = [];
  function followTheme(chart) {
    charts.push(chart);
    return chart;
  }
  function retheme() { charts.forEach(function (c) { c.applyOptions(themeOptions()); }); }
  window.addEventListener('themechange', function () { setTimeout(retheme, 0); });
  if (window.matchMedia) {
    var mq = window.matchMedia('(prefers-color-scheme: dark)');
    if (mq.addEventListener) mq.addEventListener('change', retheme);
  }

  /**
   * A line over time (equity, drawdown) on the same time axis as the strategy chart.
   * points: [{ time: epoch ms, value }]; options: { color, title, area, percent }.
   * Returns { update({ time, value }) } for live points (older than the last one are ignored).
   */
  function line(root, points, o) {
    var LWC = window.LightweightCharts;
    if (!root || !LWC) return null;
    var chart = followTheme(LWC.createChart(root, baseOptions()));
    var fmt = o.percent ? { type: 'custom', formatter: function (v) { return v.toFixed(2) + ' %'; }, minMove: 0.01 } : { type: 'price', precision: 2, minMove: 0.01 };
    var series = o.area
      ? chart.addSeries(LWC.AreaSeries, { lineColor: o.color, topColor: 'rgba(176,0,30,0.05)', bottomColor: 'rgba(176,0,30,0.3)', invertFilledArea: true, lineWidth: 2, title: o.title || '', priceFormat: fmt, priceLineVisible: false })
      : chart.addSeries(LWC.LineSeries, { color: o.color, lineWidth: 2, title: o.title || '', priceFormat: fmt, priceLineVisible: false });
    var last = -Infinity;
    var bySecond = new Map();
    (points || []).forEach(function (p) { bySecond.set(sec(p.time), p.value); });
    var data = Array.from(bySecond.entries()).sort(function (a, b) { return a[0] - b[0]; }).map(function (e) { return { time: e[0], value: e[1] }; });
    series.setData(data);
    if (data.length) last = data[data.length - 1].time;
    chart.timeScale().fitContent();
    root.dataset.points = String(data.length);
    root.dataset.firstTime = data.length ? String(data[0].time * 1000) : '';
    root.dataset.lastTime = data.length ? String(last * 1000) : '';
    var api = {
      update: function (p) {
        var t = sec(p.time);
        if (t < last || !isFinite(p.value)) return;
        series.update({ time: t, value: p.value });
        if (t > last) root.dataset.points = String(Number(root.dataset.points || '0') + 1);
        last = t;
        root.dataset.lastTime = String(t * 1000);
      },
      /** the labels under the time axis as drawn (for tests and screen readers) */
      visibleRange: function () { return chart.timeScale().getVisibleRange(); },
      chart: chart,
    };
    root.lineChart = api;
    return api;
  }

  function mount(root, opts) {
    var LWC = window.LightweightCharts;
    if (!root || !LWC) return null;
    var timeframes = opts.timeframes || ['1m'];
    var tf = opts.timeframe || timeframes[0];

    // ------------------------------------------------------------------ DOM
    root.classList.add('strategy-chart');
    var bar = el('div', { class: 'chart-toolbar' });
    var tfGroup = el('div', { class: 'chart-tf', role: 'group', 'aria-label': 'Timeframe' });
    timeframes.forEach(function (t) {
      var b = el('button', { type: 'button', class: 'secondary', 'data-tf': t, 'aria-pressed': String(t === tf) }, t);
      b.addEventListener('click', function () { setTimeframe(t); });
      tfGroup.appendChild(b);
    });
    if (timeframes.length > 1) bar.appendChild(tfGroup);
    var status = el('span', { class: 'chart-status muted small', 'aria-live': 'polite' });
    bar.appendChild(status);
    var box = el('div', { class: 'chart-box chart-panes', role: 'img', 'aria-label': opts.label || 'Candlestick chart with volume, indicators and trade markers' });
    var legend = el('p', { class: 'muted small chart-legend' });
    var toggles = el('fieldset', { class: 'chart-toggles' });
    toggles.appendChild(el('legend', {}, 'Series'));
    root.appendChild(bar);
    root.appendChild(box);
    root.appendChild(legend);
    root.appendChild(toggles);

    var chart = followTheme(LWC.createChart(box, baseOptions()));
    var candleSeries = chart.addSeries(LWC.CandlestickSeries, { upColor: UP, downColor: DOWN, borderVisible: false, wickUpColor: UP, wickDownColor: DOWN }, 0);
    var volumeSeries = chart.addSeries(LWC.HistogramSeries, { priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false, title: 'volume' }, 1);
    var markersApi = LWC.createSeriesMarkers(candleSeries, []);

    // ------------------------------------------------------------------ data (per timeframe; reset on switch)
    var bars, forming, points, meta, trades, nextBefore, historyStart, hasOlderTrades, loading, visible = {}, lineSeries = {}, generation = 0;
    function reset() {
      bars = new Map(); forming = null; points = new Map(); meta = new Map(); trades = new Map();
      nextBefore = undefined; historyStart = null; hasOlderTrades = false; loading = false;
    }
    reset();

    function snap(ms, closeTime) {
      var size = TF_MS[tf] || 60000;
      return Math.floor((closeTime ? ms - 1 : ms) / size) * size;
    }
    function merge(p) {
      (p.candles || []).forEach(function (c) { bars.set(c.openTime, c); });
      if (p.isNewest) forming = p.forming || null;
      if (forming && bars.has(forming.openTime)) forming = null;
      (p.indicators || []).forEach(function (s) {
        if (!meta.has(s.name)) {
          meta.set(s.name, { name: s.name, kind: s.kind, group: s.kind === 'price' ? 'price' : s.indicatorId + ' ' + (KIND_LABEL[s.kind] || s.kind), color: COLORS[meta.size % COLORS.length] });
          if (!(s.name in visible)) visible[s.name] = !HIDDEN_BY_DEFAULT[s.kind];
        }
        var m = points.get(s.name);
        if (!m) points.set(s.name, (m = new Map()));
        s.points.forEach(function (pt) { m.set(snap(pt.time, true), pt.value); });
      });
      (p.trades || []).forEach(addTradeData);
      if (p.historyStart !== undefined) historyStart = p.historyStart;
    }
    function addTradeData(t) { if (t && t.tradeId) trades.set(t.tradeId, t); }

    function sortedBars() {
      var list = Array.from(bars.values()).sort(function (a, b) { return a.openTime - b.openTime; });
      if (forming) list.push(forming);
      return list;
    }
    function render() {
      var list = sortedBars();
      candleSeries.setData(list.map(function (c) {
        var d = { time: sec(c.openTime), open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close) };
        if (c === forming) { var up = d.close >= d.open; d.color = up ? 'rgba(10,107,44,0.35)' : 'rgba(176,0,30,0.35)'; d.wickColor = d.color; }
        return d;
      }));
      volumeSeries.setData(list.map(function (c) {
        var up = Number(c.close) >= Number(c.open);
        return { time: sec(c.openTime), value: Number(c.volume), color: c === forming ? 'rgba(77,85,96,0.3)' : (up ? 'rgba(10,107,44,0.5)' : 'rgba(176,0,30,0.5)') };
      }));
      renderIndicators();
      renderMarkers(list);
      renderLegend(list);
      root.dataset.bars = String(list.length);
      root.dataset.timeframe = tf;
      root.dataset.firstBar = list.length ? String(list[0].openTime) : '';
      root.dataset.forming = forming ? 'true' : 'false';
      root.dataset.ready = 'true';
    }
    /** every visible non-price group gets a pane of its own below price (0) and volume (1) */
    function renderIndicators() {
      var panes = {}, next = 2;
      Object.keys(lineSeries).forEach(function (name) { chart.removeSeries(lineSeries[name]); delete lineSeries[name]; });
      meta.forEach(function (m) {
        if (!visible[m.name]) return;
        var pane = 0;
        if (m.group !== 'price') { if (!(m.group in panes)) panes[m.group] = next++; pane = panes[m.group]; }
        var s = chart.addSeries(LWC.LineSeries, {
          color: m.color, lineWidth: pane === 0 ? 2 : 1.5, title: m.name, priceLineVisible: false, lastValueVisible: false,
          lineType: m.kind === 'boolean' || m.kind === 'count' ? LWC.LineType.WithSteps : LWC.LineType.Simple,
        }, pane);
        var data = Array.from((points.get(m.name) || new Map()).entries()).sort(function (a, b) { return a[0] - b[0]; })
          .filter(function (e) { return bars.has(e[0]) || (forming && forming.openTime === e[0]); })
          .map(function (e) { return { time: sec(e[0]), value: e[1] }; });
        s.setData(data);
        lineSeries[m.name] = s;
      });
      var panesNow = chart.panes();
      var paneCount = panesNow.length;
      // price gets the most room; volume and each indicator pane a strip
      panesNow.forEach(function (p, i) { p.setStretchFactor(i === 0 ? 4 : i === 1 ? 1 : 1.4); });
      box.style.height = (320 + Math.max(0, paneCount - 1) * 90) + 'px';
      root.dataset.panes = String(paneCount);
    }
    function renderMarkers(list) {
      var times = new Set(list.map(function (c) { return c.openTime; }));
      var out = [];
      trades.forEach(function (t) {
        var at = snap(t.time, false);
        if (!times.has(at)) return;
        var buy = t.side === 'buy';
        out.push({ time: sec(at), position: buy ? 'belowBar' : 'aboveBar', color: buy ? UP : DOWN, shape: buy ? 'arrowUp' : 'arrowDown', text: tagOf(t.reason, t.side) });
      });
      out.sort(function (a, b) { return a.time - b.time; });
      markersApi.setMarkers(out);
      root.dataset.markers = String(out.length);
      root.dataset.markerTags = Array.from(new Set(out.map(function (m) { return m.text; }))).sort().join(',');
    }
    function renderLegend(list) {
      var parts = [];
      parts.push('▲ buy · ▼ sell, tagged entry/exit');
      if (forming) parts.push('faded: candle forming since ' + isoMinute(forming.openTime) + ' (provisional)');
      if (nextBefore === null && historyStart !== null && list.length) parts.push('stored history starts ' + isoMinute(historyStart));
      if (hasOlderTrades) parts.push(nextBefore === null ? 'some trades are older than the stored candles (market-log retention)' : 'older trades: scroll back');
      legend.textContent = parts.join(' · ');
      status.textContent = list.length ? list.length + ' ' + tf + ' candles' + (nextBefore === null ? ' (all stored)' : '') : 'No candles yet.';
    }
    function renderToggles() {
      Array.from(toggles.querySelectorAll('label')).forEach(function (l) { l.remove(); });
      meta.forEach(function (m) {
        var id = 'series-' + m.name.replace(/[^A-Za-z0-9_-]/g, '_');
        var label = el('label', { for: id, class: 'chart-toggle', title: KIND_LABEL[m.kind] || m.kind });
        var box2 = el('input', { type: 'checkbox', id: id, 'data-series': m.name, 'data-kind': m.kind });
        box2.checked = !!visible[m.name];
        box2.addEventListener('change', function () { visible[m.name] = box2.checked; renderIndicators(); });
        var sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
        sw.style.background = m.color;
        label.appendChild(box2); label.appendChild(sw); label.appendChild(document.createTextNode(' ' + m.name + ' '));
        label.appendChild(el('span', { class: 'muted small' }, '(' + (KIND_LABEL[m.kind] || m.kind) + ')'));
        toggles.appendChild(label);
      });
      toggles.hidden = meta.size === 0;
    }

    // ------------------------------------------------------------------ loading
    function load(before) {
      if (loading) return Promise.resolve();
      loading = true;
      var gen = generation;
      status.textContent = 'Loading ' + tf + ' candles…';
      return Promise.resolve(opts.page(tf, before))
        .then(function (p) {
          if (gen !== generation || !p) return;
          var n = meta.size;
          p.isNewest = before === undefined;
          merge(p);
          // the oldest page loaded says what lies before it
          if (before !== undefined || nextBefore === undefined) { nextBefore = p.nextBefore; hasOlderTrades = !!p.hasOlderTrades; }
          render();
          if (meta.size !== n) renderToggles();
        })
        .catch(function (e) { status.textContent = 'Could not load candles: ' + (e && e.message ? e.message : e); })
        .finally(function () { if (gen === generation) loading = false; });
    }
    function loadOlder() {
      if (nextBefore === null || nextBefore === undefined || loading) return;
      load(nextBefore);
    }
    chart.timeScale().subscribeVisibleLogicalRangeChange(function (r) {
      if (r && r.from < LOAD_MARGIN) loadOlder();
    });
    function setTimeframe(t) {
      if (t === tf || !TF_MS[t]) return;
      tf = t;
      generation += 1;
      Array.from(tfGroup.querySelectorAll('button')).forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.tf === t)); });
      var keepTrades = trades;
      reset();
      trades = keepTrades;
      load(undefined).then(function () { chart.timeScale().fitContent(); });
    }
    var first = load(undefined).then(function () {
      var n = bars.size;
      // show the newest ~150 bars; older ones are there to scroll to
      if (n > 150) chart.timeScale().setVisibleLogicalRange({ from: n - 150, to: n + 3 });
      else chart.timeScale().fitContent();
    });
    if (opts.liveMs > 0) {
      var tick = function () {
        if (!loading && document.visibilityState !== 'hidden') {
          var gen = generation;
          Promise.resolve(opts.page(tf, undefined, { live: true })).then(function (p) {
            if (gen !== generation || !p) return;
            var n = meta.size;
            p.isNewest = true;
            merge(p);
            render();
            if (meta.size !== n) renderToggles();
          }).catch(function () { /* the next tick tries again */ });
        }
        setTimeout(tick, opts.liveMs);
      };
      setTimeout(tick, opts.liveMs);
    }

    var api = {
      ready: first,
      addTrade: function (t) { addTradeData(t); renderMarkers(sortedBars()); renderLegend(sortedBars()); },
      reload: function () { return load(undefined); },
      setTimeframe: setTimeframe,
      /** the price pane's visible price range: { from, to } */
      priceRange: function () { return candleSeries.priceScale().getVisibleRange(); },
      scrollToStart: function () { chart.timeScale().scrollToPosition(-bars.size, false); },
      chart: chart,
    };
    root.strategyChart = api;
    return api;
  }

  /**
   * A page source over data held in the page (the HTML backtest report): candles of one base
   * timeframe, aggregated here to any larger one; everything in one page (no paging).
   * data: { candles: [{ openTime, closeTime, open, high, low, close, volume }], indicators, trades }
   */
  function staticSource(data) {
    var cache = {};
    function aggregate(tf) {
      if (cache[tf]) return cache[tf];
      var size = TF_MS[tf], out = [], cur = null;
      (data.candles || []).forEach(function (c) {
        var open = Math.floor(c.openTime / size) * size;
        if (!cur || cur.openTime !== open) {
          if (cur) out.push(cur);
          cur = { openTime: open, closeTime: open + size, open: c.open, high: c.high, low: c.low, close: c.close, volume: Number(c.volume), isComplete: true };
        } else {
          cur.high = Math.max(Number(cur.high), Number(c.high));
          cur.low = Math.min(Number(cur.low), Number(c.low));
          cur.close = c.close;
          cur.volume += Number(c.volume);
        }
      });
      if (cur) out.push(cur);
      return (cache[tf] = out);
    }
    return function (tf) {
      return Promise.resolve({ candles: aggregate(tf), forming: null, nextBefore: null, historyStart: data.candles && data.candles.length ? data.candles[0].openTime : null, indicators: data.indicators || [], trades: data.trades || [], hasOlderTrades: false });
    };
  }

  window.StrategyChart = { mount: mount, line: line, staticSource: staticSource, tickMark: tickMark, themeOptions: themeOptions, TF_MS: TF_MS };
})();
