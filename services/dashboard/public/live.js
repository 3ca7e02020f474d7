// @ts-check
/**
 * Live updates for every dashboard page: WebSocket first, Server-Sent Events as the fallback,
 * polling /live/snapshot as the last resort. Page scripts register handlers with Live.on().
 */
(function () {
  'use strict';
  var body = document.body;
  var pollMs = Number(body.dataset.livePollMs) || 5000;
  var statusEl = document.getElementById('live-status');
  /** @type {{ event: Function[], snapshot: Function[], resync: Function[] }} */
  var handlers = { event: [], snapshot: [], resync: [] };
  var money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var qty = new Intl.NumberFormat('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 8 });
  // times in the zone the page was rendered in (the header's switch; same format as the server's)
  var zone = document.documentElement.dataset.timeZone || 'UTC';
  var zoned = zone === 'UTC' ? null : new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
  /** as the server's fmtDuration: "850 ms", "56 s", "15 min 39 s", "2 h 3 min", "3 d 4 h" */
  function duration(/** @type {number|null|undefined} */ ms) {
    if (ms === null || ms === undefined || !isFinite(ms)) return '—';
    var v = Math.max(0, ms);
    if (v < 1000) return Math.round(v) + ' ms';
    var s = Math.floor(v / 1000);
    if (s < 60) return s + ' s';
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return h > 0 ? d + ' d ' + h + ' h' : d + ' d';
    if (h > 0) return m > 0 ? h + ' h ' + m + ' min' : h + ' h';
    return s % 60 > 0 ? m + ' min ' + (s % 60) + ' s' : m + ' min';
  }
  var LABELS = { ws: 'WebSocket', sse: 'SSE', poll: 'polling every ' + Math.round(pollMs / 1000) + ' s', connecting: 'connecting…', reconnecting: 'reconnecting…' };

  var Live = {
    transport: 'connecting',
    /** extra query parameters for the live endpoints, e.g. { strategy: id } */
    params: /** @type {Record<string,string>} */ ({}),
    started: false,
    lastMessageAt: 0,
    messages: 0,
    /** 'resync': the page missed events (its dashboard reached the API only after the page was open, or the
     *  connection was lost for a while): reload what the snapshot (also dispatched then) does not carry */
    on: function (/** @type {'event'|'snapshot'|'resync'} */ kind, /** @type {Function} */ fn) { handlers[kind].push(fn); },
    fmt: {
      money: function (/** @type {any} */ v) { if (v === null || v === undefined || v === '') return '—'; var n = Number(v); return isFinite(n) ? money.format(n) : String(v); },
      signed: function (/** @type {any} */ v) { if (v === null || v === undefined || v === '') return '—'; var n = Number(v); if (!isFinite(n)) return String(v); return (n > 0 ? '+' : '') + money.format(n); },
      qty: function (/** @type {any} */ v) { if (v === null || v === undefined || v === '') return '—'; var n = Number(v); return isFinite(n) ? qty.format(n) : String(v); },
      signClass: function (/** @type {any} */ v) { var n = Number(v); if (v === null || v === undefined || v === '' || !isFinite(n) || n === 0) return ''; return n > 0 ? 'pos' : 'neg'; },
      time: function (/** @type {number} */ ms) { return ms ? (zoned ? zoned.format(new Date(ms)) : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z') : '—'; },
      duration: duration,
      /** entry or exit of a fill, from its order's reason (as fillRoleOf in contracts) */
      roleTag: function (/** @type {any} */ reason) { var role = reason === 'entry_long' || reason === 'entry_short' ? 'entry' : 'exit'; return '<span class="role role-' + role + '" data-role="' + role + '">' + role + '</span>'; },
    },
    start: start,
  };
  // @ts-ignore
  window.Live = Live;

  function renderStatus() {
    if (!statusEl) return;
    statusEl.dataset.transport = Live.transport;
    statusEl.dataset.upstream = upstream;
    // @ts-ignore
    var label = LABELS[Live.transport] || Live.transport;
    statusEl.textContent = 'Live: ' + label + (upstream === 'idle' && (Live.transport === 'ws' || Live.transport === 'sse') ? ', waiting for the API…' : '');
  }

  function setTransport(/** @type {string} */ t) {
    Live.transport = t;
    document.documentElement.dataset.liveTransport = t;
    // a lost push connection missed what happened meanwhile: the next upstream word decides again
    if (t !== 'ws' && t !== 'sse') setUpstream('unknown');
    renderStatus();
  }

  /**
   * The dashboard's connection to the API: 'idle' (not connected yet: no events flow), 'sse' or
   * 'poll' (events flow), 'unknown' (this page's own connection is down or polling snapshots).
   * Events flow again after a gap the page lived through: it reloads what it shows.
   */
  var upstream = 'unknown';
  var hadGap = false;
  function setUpstream(/** @type {string} */ mode) {
    var live = mode === 'sse' || mode === 'poll';
    if (!live && Live.started && (Live.transport === 'ws' || Live.transport === 'sse' || upstream !== 'unknown')) hadGap = true;
    upstream = mode;
    document.documentElement.dataset.liveUpstream = mode;
    renderStatus();
    if (live && hadGap) {
      hadGap = false;
      resync();
    }
  }

  /**
   * After a gap: one snapshot (the numbers, a strategy's newest trades and equity) and the page's own
   * reloads. Events that arrive while the snapshot is read wait, and follow it: the snapshot may be
   * older than they are, and must not undo them.
   */
  /** @type {any[] | null} */
  var heldBack = null;
  function resync() {
    if (!heldBack) heldBack = [];
    var done = false;
    var release = function () {
      if (done) return;
      done = true;
      var events = heldBack || [];
      heldBack = null;
      events.forEach(dispatch);
    };
    setTimeout(release, 10000); // a snapshot that does not come holds nothing back for long
    fetchSnapshot()
      .then(function (snap) { if (!done) dispatchSnapshot(snap); })
      .catch(function (e) { console.warn('live resync failed:', e.message); })
      .finally(release);
    handlers.resync.forEach(function (fn) { try { fn(); } catch (e) { console.warn('live resync failed', e); } });
  }

  function fetchSnapshot() {
    return fetch('/live/snapshot' + query(), { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error('snapshot ' + r.status)); });
  }

  /** the first connection asks for what came between the page's render and itself; a reconnect does not */
  var helloSeen = false;
  function onHello(/** @type {any} */ hello) {
    if (!hello || typeof hello.upstream !== 'string') return;
    helloSeen = true;
    // caughtUp: the events since the render follow this hello; otherwise some may be missing
    if (hello.caughtUp !== true) hadGap = true;
    setUpstream(hello.upstream);
  }

  function query() {
    var params = new URLSearchParams(Live.params);
    if (!helloSeen && body.dataset.liveSince) params.set('since', body.dataset.liveSince);
    var p = params.toString();
    return p ? '?' + p : '';
  }

  function dispatch(/** @type {any} */ ev) {
    if (!ev || typeof ev.type !== 'string') return;
    if (ev.type === 'hello') return onHello(ev.payload);
    if (ev.type === 'live.upstream') return setUpstream(ev.payload && ev.payload.mode);
    if (heldBack) { heldBack.push(ev); return; }
    Live.lastMessageAt = Date.now();
    Live.messages++;
    if (ev.type === 'market.feed.status') renderBanner(ev.payload);
    handlers.event.forEach(function (fn) { try { fn(ev); } catch (e) { console.warn('live handler failed', e); } });
  }

  function dispatchSnapshot(/** @type {any} */ snap) {
    Live.lastMessageAt = Date.now();
    Live.messages++;
    if (snap.feed) renderBanner(snap.feed);
    handlers.snapshot.forEach(function (fn) { try { fn(snap); } catch (e) { console.warn('live handler failed', e); } });
  }

  function esc(/** @type {any} */ s) {
    return String(s).replace(/[&<>"']/g, function (c) { return ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] || c; });
  }

  /** Mirrors views/feed-banner.eta; `f` is the feed status (MarketFeedStatusV1) and STALE_STATES mirrors page-data/feed.ts. */
  var STALE_STATES = ['stale', 'degraded', 'stopped'];
  function renderBanner(/** @type {any} */ f) {
    var el = document.getElementById('feed-banner');
    if (!el || !f) return;
    var isSim = f.isSimulated === true;
    var state = f.state;
    var isStale = STALE_STATES.indexOf(state) >= 0;
    var html = '';
    if (isSim) html += '<div class="banner banner-sim" data-banner="simulated"><strong>SIMULATED MARKET DATA</strong> — prices come from the built-in market simulator (source: ' + esc(f.source) + (f.requestedSource ? ', requested ' + esc(f.requestedSource) : '') + '), not from an exchange.</div>';
    if (isStale) html += '<div class="banner banner-stale" data-banner="stale"><strong>STALE</strong> — market data feed is ' + esc(state) + (f.lastCandleCloseTime ? '; last candle closed ' + Live.fmt.time(f.lastCandleCloseTime) : '') + (f.message ? ' (' + esc(f.message) + ')' : '') + '.</div>';
    if (el.innerHTML.trim() !== html) el.innerHTML = html;
    var src = document.querySelector('[data-feed="source"]');
    if (src) src.textContent = f.source + (isSim ? ' (simulated)' : '');
    var st = document.querySelector('[data-feed="state"]');
    if (st) st.innerHTML = '<span class="badge state-' + esc(state) + '">' + esc(state) + '</span>';
    var lc = document.querySelector('[data-feed="lastCandle"]');
    if (lc && f.lastCandleCloseTime) lc.textContent = Live.fmt.time(f.lastCandleCloseTime);
    var lag = document.querySelector('[data-feed="lag"]');
    if (lag && typeof f.lagMs === 'number') lag.textContent = duration(f.lagMs);
  }

  var attempt = 0;
  function backoff() { attempt++; return Math.min(15000, 500 * Math.pow(2, attempt)) * (0.75 + Math.random() * 0.5); }

  /** Resolves true once the socket is open; false when it fails first (then the next transport is tried). */
  function openWs() {
    return new Promise(function (resolve) {
      if (!('WebSocket' in window)) return resolve(false);
      var opened = false;
      var ws;
      try {
        ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/live/ws' + query());
      } catch (e) { return resolve(false); }
      var timer = setTimeout(function () { if (!opened) { try { ws.close(); } catch (e) { /* ignore */ } resolve(false); } }, 4000);
      ws.onopen = function () { opened = true; clearTimeout(timer); attempt = 0; setTransport('ws'); resolve(true); };
      ws.onmessage = function (m) { try { dispatch(JSON.parse(m.data)); } catch (e) { console.warn('bad live message', e); } };
      ws.onerror = function () { /* onclose follows */ };
      ws.onclose = function () {
        clearTimeout(timer);
        if (!opened) return resolve(false);
        setTransport('reconnecting');
        setTimeout(connect, backoff());
      };
    });
  }

  function openSse() {
    return new Promise(function (resolve) {
      if (!('EventSource' in window)) return resolve(false);
      var opened = false;
      var es = new EventSource('/live/sse' + query());
      var timer = setTimeout(function () { if (!opened) { es.close(); resolve(false); } }, 4000);
      es.addEventListener('hello', function (m) {
        if (!opened) { opened = true; clearTimeout(timer); attempt = 0; setTransport('sse'); resolve(true); }
        try { onHello(JSON.parse(/** @type {MessageEvent} */ (m).data)); } catch (e) { console.warn('bad live hello', e); }
      });
      es.onmessage = function (m) { try { dispatch(JSON.parse(m.data)); } catch (e) { console.warn('bad live message', e); } };
      es.onerror = function () {
        if (!opened) { clearTimeout(timer); es.close(); return resolve(false); }
        if (es.readyState === EventSource.CLOSED) { setTransport('reconnecting'); setTimeout(connect, backoff()); }
        else setTransport('reconnecting');
      };
      es.onopen = function () { if (opened) setTransport('sse'); };
    });
  }

  var pollTimer = 0;
  var polling = false;
  var upgradeTimer = 0;
  var upgradeDelay = 2000;
  /** While polling, keep trying WebSocket then SSE (backing off to every 15 s): an outage may be over. */
  function scheduleUpgrade() {
    upgradeTimer = window.setTimeout(function () {
      openWs().then(function (ok) { return ok || openSse(); }).then(function (ok) {
        if (ok) { stopPolling(); return; }
        upgradeDelay = Math.min(15000, upgradeDelay * 2);
        scheduleUpgrade();
      });
    }, upgradeDelay);
  }
  function stopPolling() {
    polling = false;
    clearTimeout(pollTimer);
    clearTimeout(upgradeTimer);
    upgradeDelay = 2000;
  }
  function startPolling() {
    if (polling) return;
    polling = true;
    setTransport('poll');
    scheduleUpgrade();
    var tick = function () {
      if (!polling) return;
      fetchSnapshot()
        .then(function (snap) { dispatchSnapshot(snap); })
        .catch(function (e) { console.warn('live poll failed:', e.message); })
        .finally(function () { if (polling) pollTimer = window.setTimeout(tick, pollMs); });
    };
    tick();
  }

  function connect() {
    openWs().then(function (ok) {
      if (ok) return;
      return openSse().then(function (ok2) { if (!ok2) startPolling(); });
    });
  }

  function start() {
    if (Live.started) return;
    Live.started = true;
    setTransport('connecting');
    connect();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else setTimeout(start, 0);
})();
