// @ts-check
/**
 * Overview page: the daily profit table drawn as bars (chart.js). The table stays the source of the
 * figures (exact decimals from GET /api/v1/portfolio); the bars are read from its rows, oldest day
 * first, green for a gain and red for a loss, and the day still in progress is drawn hatched-light
 * and labelled "so far" so it is not mistaken for a finished day.
 */
(function () {
  'use strict';
  // @ts-ignore
  var Chart = window.Chart;
  var canvas = /** @type {HTMLCanvasElement|null} */ (document.getElementById('daily-profit-chart'));
  var rows = document.querySelectorAll('#daily-profit tbody tr[data-day]');
  if (!Chart || !canvas || rows.length === 0) return;

  var css = getComputedStyle(document.documentElement);
  function cssVar(/** @type {string} */ name, /** @type {string} */ fallback) {
    return css.getPropertyValue(name).trim() || fallback;
  }
  var pos = cssVar('--pos', '#0a6b2c');
  var neg = cssVar('--neg', '#b0001e');
  var text = cssVar('--muted', '#4d5560');
  var grid = cssVar('--border', '#d3d8de');

  /** @type {{ day: string, pnl: number, partial: boolean }[]} */
  var days = [];
  rows.forEach(function (tr) {
    var el = /** @type {HTMLElement} */ (tr);
    days.push({ day: el.dataset.day || '', pnl: Number(el.dataset.pnl), partial: el.dataset.partial === 'true' });
  });
  days.reverse(); // the table lists the newest day first; the chart reads left to right in time

  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: days.map(function (d) { return d.partial ? d.day + ' (so far)' : d.day; }),
      datasets: [
        {
          label: 'Profit per day (UTC)',
          data: days.map(function (d) { return d.pnl; }),
          backgroundColor: days.map(function (d) { return (d.pnl < 0 ? neg : pos) + (d.partial ? '80' : ''); }),
          borderColor: days.map(function (d) { return d.pnl < 0 ? neg : pos; }),
          borderWidth: 1,
          maxBarThickness: 48,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: {
        x: { ticks: { color: text }, grid: { display: false } },
        y: { ticks: { color: text }, grid: { color: grid } },
      },
    },
  });
})();
