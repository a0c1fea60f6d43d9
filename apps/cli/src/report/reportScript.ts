/**
 * The report's one inline script (no network, no library): for every chart it reads the JSON
 * after the `<svg>` (see `renderLineChart`) and adds three things the static page cannot do:
 * legend entries that hide and show their series (click, Enter or Space), hover values (a guide
 * line and each shown series' value nearest the pointer), and, on a chart drawn with smoothing, the
 * smoothing control redraws the smoothed lines with TensorBoard's debiased moving average (as
 * `emaSmoothing`). For a confusion-matrix heat map (see `renderConfusionHeatmap`): the matrix
 * selector, the row-normalised toggle and a hover tip with the cell's count. Written in plain ES2017 so any browser of the last years runs it.
 */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  function ema(points, w) {
    var last = 0, n = 0;
    return points.map(function (p) {
      var v = p[1];
      if (!isFinite(v)) return [p[0], v];
      last = last * w + (1 - w) * v; n++;
      return [p[0], last / (w === 0 ? 1 : 1 - Math.pow(w, n))];
    });
  }
  function fmt(v) {
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    return a !== 0 && (a < 1e-4 || a >= 1e7) ? v.toExponential(4) : v.toPrecision(6);
  }
  // A step or an epoch is a whole number: 999, not 999.000.
  function fmtX(v) {
    return Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : fmt(v);
  }
  document.querySelectorAll('script.chart-data').forEach(function (el) {
    var data = JSON.parse(el.textContent);
    var svg = el.previousElementSibling;
    if (!svg || svg.tagName.toLowerCase() !== 'svg') return;
    var figure = svg.closest('figure');
    var sx = function (x) { return data.x[2] + ((x - data.x[0]) / (data.x[1] - data.x[0])) * data.x[3]; };
    var sy = function (y) { return data.y[2] + data.y[3] - ((y - data.y[0]) / (data.y[1] - data.y[0])) * data.y[3]; };
    var ix = function (px) { return data.x[0] + ((px - data.x[2]) / data.x[3]) * (data.x[1] - data.x[0]); };
    var hidden = {};
    var weight = data.smoothing;
    function pathOf(points) {
      var d = '', pen = false;
      points.forEach(function (p) {
        if (!isFinite(p[0]) || !isFinite(p[1])) { pen = false; return; }
        d += (pen ? 'L' : 'M') + sx(p[0]).toFixed(1) + ' ' + sy(p[1]).toFixed(1);
        pen = true;
      });
      return d;
    }
    function shown(points) { return weight === undefined ? points : ema(points, weight); }
    function byLabel(selector, label) {
      return Array.prototype.filter.call(svg.querySelectorAll(selector), function (n) {
        return n.getAttribute('data-series') === label;
      });
    }
    // Legend: each entry hides or shows its series.
    svg.querySelectorAll('.legend-item').forEach(function (item) {
      var label = item.getAttribute('data-series');
      function toggle() {
        hidden[label] = !hidden[label];
        item.classList.toggle('off', hidden[label]);
        item.setAttribute('aria-pressed', hidden[label] ? 'false' : 'true');
        byLabel('[data-series]:not(.legend-item)', label).forEach(function (n) {
          n.classList.toggle('off', hidden[label]);
        });
      }
      item.addEventListener('click', toggle);
      item.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); }
      });
    });
    // Smoothing: redraw the smoothed lines and their end dots.
    var slider = figure && figure.querySelector('input.smoothing');
    if (slider && weight !== undefined) {
      var out = figure.querySelector('output.smoothing-value');
      slider.addEventListener('input', function () {
        weight = Math.min(0.999, Math.max(0, Number(slider.value)));
        if (out) out.textContent = weight.toFixed(2);
        data.series.forEach(function (s) {
          var pts = ema(s.points, weight);
          byLabel('path.series', s.label).forEach(function (p) { p.setAttribute('d', pathOf(pts)); });
          var last = pts.filter(function (p) { return isFinite(p[0]) && isFinite(p[1]); }).pop();
          if (last) byLabel('circle.end', s.label).forEach(function (c) {
            c.setAttribute('cy', sy(last[1]).toFixed(1));
          });
        });
      });
    }
    // Hover: a guide line and each shown series' value at the point nearest the pointer's x.
    var guide = document.createElementNS(NS, 'line');
    guide.setAttribute('class', 'guide');
    guide.setAttribute('y1', String(data.y[2]));
    guide.setAttribute('y2', String(data.y[2] + data.y[3]));
    guide.style.display = 'none';
    svg.appendChild(guide);
    var tip = document.createElement('div');
    tip.className = 'tip';
    tip.hidden = true;
    if (figure) figure.appendChild(tip);
    svg.addEventListener('mousemove', function (e) {
      var ctm = svg.getScreenCTM();
      if (!ctm || !figure) return;
      var px = (e.clientX - ctm.e) / ctm.a;
      if (px < data.x[2] || px > data.x[2] + data.x[3]) { guide.style.display = 'none'; tip.hidden = true; return; }
      var x = ix(px);
      var rows = [];
      var at;
      data.series.forEach(function (s) {
        if (hidden[s.label]) return;
        var best, dist = Infinity;
        shown(s.points).forEach(function (p) {
          var d = Math.abs(p[0] - x);
          if (isFinite(p[1]) && d < dist) { dist = d; best = p; }
        });
        if (!best || dist > (data.x[1] - data.x[0]) / 20) return;
        at = at === undefined ? best[0] : at;
        rows.push('<div><span class="tip-swatch" style="background:' + s.color + '"></span>' +
          s.label.replace(/[&<>"]/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }) + ': <b>' + fmt(best[1]) + '</b></div>');
      });
      if (rows.length === 0) { guide.style.display = 'none'; tip.hidden = true; return; }
      guide.setAttribute('x1', sx(at).toFixed(1));
      guide.setAttribute('x2', sx(at).toFixed(1));
      guide.style.display = '';
      tip.innerHTML = '<div class="tip-x">' + fmtX(at) + '</div>' + rows.join('');
      tip.hidden = false;
      var box = figure.getBoundingClientRect();
      var left = e.clientX - box.left + 14;
      if (left + tip.offsetWidth > box.width) left = e.clientX - box.left - tip.offsetWidth - 14;
      tip.style.left = left + 'px';
      tip.style.top = (e.clientY - box.top + 10) + 'px';
    });
    svg.addEventListener('mouseleave', function () { guide.style.display = 'none'; tip.hidden = true; });
  });
  // Confusion-matrix heat maps: the matrix selector and the row-normalised toggle redraw the cells
  // (colours as heatColour in confusionHeatmap.ts), and hovering a cell shows its count.
  function heat(t) {
    var u = Math.sqrt(Math.min(1, Math.max(0, t)));
    var from = [247, 251, 255], to = [8, 48, 107];
    return 'rgb(' + from.map(function (f, i) { return Math.round(f + (to[i] - f) * u); }).join(',') + ')';
  }
  document.querySelectorAll('script.heatmap-data').forEach(function (el) {
    var data = JSON.parse(el.textContent);
    var figure = el.closest('figure');
    var svg = figure.querySelector('svg.heatmap');
    var select = figure.querySelector('.heatmap-select');
    var normalise = figure.querySelector('.heatmap-normalise');
    var cells = svg.querySelectorAll('rect.cell');
    var classes = Number(svg.getAttribute('data-classes'));
    cells.forEach(function (rect, i) { rect.lfT = Math.floor(i / classes); rect.lfP = i % classes; });
    var tip = document.createElement('div');
    tip.className = 'tip';
    tip.hidden = true;
    figure.appendChild(tip);
    function matrix() { return data.matrices[select ? Number(select.value) : 0]; }
    function rowSum(m, t) { return m[t].reduce(function (a, b) { return a + b; }, 0); }
    function draw() {
      var m = matrix();
      var max = 1;
      m.forEach(function (row) { row.forEach(function (n) { if (n > max) max = n; }); });
      var sums = m.map(function (row, t) { return rowSum(m, t); });
      cells.forEach(function (rect) {
        var t = rect.lfT, p = rect.lfP;
        var n = m[t][p];
        var share = normalise.checked ? (sums[t] > 0 ? n / sums[t] : 0) : n / max;
        rect.setAttribute('fill', heat(share));
        rect.setAttribute('data-count', String(n));
        if (rect.firstChild) rect.firstChild.textContent = 'true ' + t + ', predicted ' + p + ': ' + n;
        var label = rect.nextElementSibling;
        if (label && label.classList.contains('cell-count')) {
          label.textContent = String(n);
          label.setAttribute('fill', share > 0.45 ? '#fff' : '#1d2433');
        }
      });
    }
    if (select) select.addEventListener('change', draw);
    normalise.addEventListener('change', draw);
    svg.addEventListener('mousemove', function (e) {
      var rect = e.target;
      if (!rect.classList || !rect.classList.contains('cell')) { tip.hidden = true; return; }
      var t = rect.lfT, p = rect.lfP;
      var m = matrix(), n = m[t][p], sum = rowSum(m, t);
      tip.innerHTML = '<div class="tip-x">true ' + t + ', predicted ' + p + '</div><b>' + n + '</b>' +
        (sum > 0 ? ' (' + (100 * n / sum).toFixed(1) + '% of true ' + t + ')' : '');
      tip.hidden = false;
      var box = figure.getBoundingClientRect();
      var left = e.clientX - box.left + 14;
      if (left + tip.offsetWidth > box.width) left = e.clientX - box.left - tip.offsetWidth - 14;
      tip.style.left = left + 'px';
      tip.style.top = (e.clientY - box.top + 10) + 'px';
    });
    svg.addEventListener('mouseleave', function () { tip.hidden = true; });
  });
})();
`;
