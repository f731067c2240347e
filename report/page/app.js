// @ts-check
// The report page and the dashboard (one app): draws a run snapshot with ECharts, lists runs, follows a live run.
// Plain browser JavaScript, type-checked by report/page/tsconfig.json; inlined into the report, served by `elites serve`.
(() => {
  'use strict';

  /** @typedef {import('../snapshot-types.js').ReportSnapshot} Snapshot */
  /** @typedef {import('../snapshot-types.js').SnapshotElite} SnapshotElite */
  /** @typedef {import('../snapshot-types.js').RunProbe} RunProbe */
  /** @typedef {import('../snapshot-types.js').PageData} PageData */
  /** @typedef {import('echarts').ECharts} Chart */
  /** @typedef {import('echarts').EChartsOption} ChartOption */
  /** @typedef {import('../snapshot-types.js').SnapshotParetoMember} ParetoMember */
  /** @typedef {readonly (readonly [number, number])[]} Curve */
  /** @typedef {{ key: string, title: string, note: string, el: HTMLElement, titleText: Text, chart?: Chart }} SeriesItem */

  const echarts = /** @type {typeof import('echarts')} */ (/** @type {any} */ (window).echarts);
  const PALETTE = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725']; // viridis: ordered, legible in grey
  const dataNode = document.getElementById('elites-data');
  const main = /** @type {HTMLElement} */ (document.getElementById('main'));
  const data = /** @type {PageData} */ (JSON.parse(dataNode?.textContent ?? '{}'));

  // ---------- small helpers ----------

  /**
   * @param {string} tag
   * @param {Record<string, string | number | boolean | undefined>} [attrs]
   * @param {(Node | string | null | undefined)[]} children
   * @returns {HTMLElement}
   */
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === false) continue;
      if (k === 'class') el.className = String(v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) el.append(c);
    return el;
  }

  /**
   * A tooltip's content as DOM, one line of text each. ECharts would parse a string as HTML, and the lines hold names
   * from configs and plug-ins (dimensions, objectives): as text nodes they can never become markup.
   * @param {string[]} lines
   */
  function tooltip(...lines) {
    return h('div', {}, ...lines.flatMap((line, i) => (i === 0 ? [line] : [h('br'), line])));
  }

  /** @param {number | null | undefined} v @param {number} [digits] */
  function fmt(v, digits = 4) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(digits - 1);
    return String(Number(v.toPrecision(digits)));
  }
  /** @param {number | null | undefined} v */
  const pct = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
  /** @param {number | null | undefined} s */
  function duration(s) {
    if (s === null || s === undefined) return '–';
    if (s < 60) return `${s.toFixed(1)} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
    return `${Math.floor(m / 60)} h ${m % 60} min`;
  }
  /** Better-first comparison of raw fitness under the run's direction. @param {'maximize' | 'minimize'} direction */
  const better = (direction) => (/** @type {number} */ a, /** @type {number} */ b) =>
    direction === 'minimize' ? a - b : b - a;

  /** The candidate id of a learning-curve datum: a polyline `{ id, coords }`, or a dot `[step, value, id]`. */
  function idOf(/** @type {any} */ datum) {
    const id = Array.isArray(datum) ? datum[2] : datum?.id;
    return typeof id === 'number' ? id : undefined;
  }

  /** A chart in `el`, resized with its box. @param {HTMLElement} el */
  function makeChart(el) {
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    new ResizeObserver(() => chart.resize()).observe(el);
    return chart;
  }

  // ---------- the run view (report and live run page) ----------

  class RunPage {
    /** @param {{ live: boolean }} options */
    constructor(options) {
      this.live = options.live;
      /** @type {Snapshot | undefined} */
      this.snapshot = undefined;
      /** @type {number | undefined} */
      this.selectedId = undefined;
      this.sort = { key: 'fitness', descending: true, touched: false };
      this.axes = /** @type {[number, number]} */ ([0, 1]);
      this.updates = 0;

      this.header = h('header');
      this.liveNote = h('span', { class: 'live', role: 'status' });
      this.mapTitle = h('h2', { id: 'map-title' }, 'Archive');
      this.controls = h('div', { class: 'controls' });
      this.mapEl = h('div', { id: 'archive-map', class: 'chart chart-map', role: 'img', 'aria-label': 'archive map' });
      this.mapNote = h('p', { class: 'hint' });
      this.detail = h(
        'div',
        { id: 'elite-detail' },
        h('p', { class: 'muted' }, 'Click a cell of the map, or a row of the elites table, to see that elite.'),
      );
      this.tableNote = h('p', { class: 'note' });
      this.table = h('table', { id: 'elites-table' });
      /** @type {SeriesItem[]} */
      this.series = [];
      this.chartsEl = h('div', { class: 'charts' });
      for (const [key, title, note] of [
        ['qd', 'QD score', 'over proposals'],
        ['coverage', 'Coverage', 'filled cells / cells'],
        ['best', 'Best fitness', ''],
        ['hits', 'Cache-hit rate', 'key and fingerprint hits per proposal'],
        ['failures', 'Failures', 'per bucket of proposals'],
      ])
        this.addSeries(key, title, note);

      // Multi-objective runs (a Pareto archive): the front's scatter, under the map and beside the elite panel.
      this.objectiveAxes = /** @type {[number, number]} */ ([0, 1]);
      this.paretoControls = h('div', { class: 'controls' });
      this.paretoEl = h('div', {
        id: 'pareto-front',
        class: 'chart chart-pareto',
        role: 'img',
        tabindex: '0',
        'aria-keyshortcuts': 'ArrowLeft ArrowRight ArrowUp ArrowDown Home End',
        'aria-label': 'Pareto front',
      });
      this.paretoNote = h('p', { class: 'hint', id: 'pareto-note' });
      this.paretoPanel = h(
        'div',
        { class: 'panel', id: 'pareto-panel', hidden: true },
        h('h2', { id: 'pareto-title' }, 'Pareto front'),
        this.paretoControls,
        this.paretoEl,
        this.paretoNote,
      );
      /** Member ids in the order the arrow keys step through them (along the x axis). @type {number[]} */
      this.paretoOrder = [];
      /** @type {Chart | undefined} */
      this.pareto = undefined;

      // Runs whose evaluations reported intermediate values (ctx.report): the learning curves, hidden otherwise.
      this.curvesEl = h('div', { id: 'learning-curves', class: 'chart chart-curves', role: 'img' });
      this.curvesNote = h('p', { class: 'hint', id: 'curves-note' });
      this.curvesSection = h(
        'section',
        { id: 'curves-section', 'aria-labelledby': 'curves-title', hidden: true },
        h('h2', { id: 'curves-title' }, 'Learning curves'),
        h('div', { class: 'panel' }, this.curvesEl, this.curvesNote),
      );
      /** @type {Chart | undefined} */
      this.curves = undefined;

      this.mapPanel = h('div', { class: 'panel' }, this.mapTitle, this.controls, this.mapEl, this.mapNote);
      this.mapSection = h(
        'section',
        { class: 'map-section', 'aria-labelledby': 'map-title' },
        h('div', { class: 'map-column' }, this.mapPanel, this.paretoPanel),
        h(
          'aside',
          { class: 'panel elite-panel', 'aria-labelledby': 'elite-title' },
          h('h2', { id: 'elite-title' }, 'Selected elite'),
          h('div', { 'aria-live': 'polite' }, this.detail),
        ),
      );
      main.replaceChildren(
        this.header,
        this.mapSection,
        h(
          'section',
          { 'aria-labelledby': 'progress-title' },
          h('h2', { id: 'progress-title' }, 'Progress'),
          this.chartsEl,
        ),
        this.curvesSection,
        h(
          'section',
          { 'aria-labelledby': 'elites-title' },
          h('h2', { id: 'elites-title' }, 'Elites'),
          this.tableNote,
          h('div', { class: 'table-wrap' }, this.table),
        ),
      );
      this.map = makeChart(this.mapEl);
      this.map.on('click', (params) => {
        const value = /** @type {number[] | undefined} */ (params.value);
        if (params.seriesName === 'elites' && Array.isArray(value)) this.select(Number(value[3]), false);
      });
      for (const s of this.series) s.chart = makeChart(s.el);
    }

    /**
     * A chart of the Progress section (a figure with its caption); `after`: placed after that series' figure.
     * @param {string} key @param {string} title @param {string} note @param {string} [after]
     */
    addSeries(key, title, note, after) {
      const id = `chart-${key}`;
      const el = h('div', {
        id,
        class: 'chart',
        role: 'img',
        'aria-labelledby': `${id}-title`,
        'aria-describedby': `${id}-desc`,
      });
      const titleText = document.createTextNode(title);
      const figure = h(
        'figure',
        {},
        h('figcaption', { id: `${id}-title` }, titleText, ' ', h('span', { id: `${id}-desc` }, note)),
        el,
      );
      /** @type {SeriesItem} */
      const item = { key, title, note, el, titleText };
      const index = after === undefined ? -1 : this.series.findIndex((x) => x.key === after);
      const next = index >= 0 ? this.series[index + 1] : undefined;
      if (next) {
        this.chartsEl.insertBefore(figure, /** @type {HTMLElement} */ (next.el.parentElement));
        this.series.splice(index + 1, 0, item);
      } else {
        this.chartsEl.append(figure);
        this.series.push(item);
      }
      return item;
    }

    /** First snapshot of a multi-objective run: the Pareto panel, the hypervolume chart, MOQD wording. */
    setUpPareto() {
      this.paretoPanel.hidden = false;
      this.pareto = makeChart(this.paretoEl);
      this.pareto.on('click', (params) => {
        const value = /** @type {number[] | undefined} */ (params.value);
        if ((params.seriesName === 'front' || params.seriesName === 'dominated') && Array.isArray(value))
          this.select(Number(value[2]), false);
      });
      this.paretoEl.addEventListener('keydown', (ev) => this.paretoKey(ev));
      const qd = this.series.find((x) => x.key === 'qd');
      if (qd) {
        qd.title = 'MOQD score';
        qd.titleText.textContent = qd.title;
        const desc = document.getElementById('chart-qd-desc');
        if (desc) desc.textContent = "Σ over cells of each cell's front's hypervolume";
      }
      const hv = this.addSeries(
        'hypervolume',
        'Hypervolume',
        "of all members' front, against the reference point",
        'qd',
      );
      hv.chart = makeChart(hv.el);
      const hint = this.detail.querySelector('p.muted');
      if (hint)
        hint.textContent =
          'Click a cell of the map, a point of the Pareto front, or a row of the elites table, to see that elite or member.';
    }

    /** @param {Snapshot} snapshot */
    update(snapshot) {
      const first = !this.snapshot;
      this.snapshot = snapshot;
      if (first && !this.sort.touched) this.sort.descending = snapshot.direction !== 'minimize';
      document.title = `${snapshot.name} (${snapshot.runId}) — elites ${this.live ? 'dashboard' : 'report'}`;
      this.renderHeader();
      if (first) this.renderControls();
      if (snapshot.pareto && !this.pareto) this.setUpPareto();
      this.renderMap();
      this.renderPareto();
      this.renderSeries();
      this.renderCurves();
      this.renderTable();
      if (this.selectedId !== undefined) this.renderDetail();
      this.updates++;
      document.body.dataset.seq = String(snapshot.seq);
      document.body.dataset.status = snapshot.status;
      document.body.dataset.updates = String(this.updates);
    }

    renderHeader() {
      const s = /** @type {Snapshot} */ (this.snapshot);
      const m = s.summary;
      const hits = m.keyHits + m.fingerprintHits;
      const pruned = m.pruned ?? 0; // (a snapshot of an older server has none)
      const ok = m.proposals - m.failures - pruned;
      const budget = s.budget.evaluations !== undefined ? ` of ${fmt(s.budget.evaluations)}` : '';
      const p = s.pareto;
      /** @type {[string, string, string][]} */
      const scores = p
        ? [
            ['qd', 'MOQD score', fmt(p.moqdScore, 6)],
            ['hypervolume', 'Hypervolume', fmt(p.hypervolume, 6)],
            [
              'members',
              'Pareto members',
              `${fmt(p.membersTotal)} (${fmt(p.membersTotal - p.dominatedTotal)} on the front)`,
            ],
          ]
        : [['qd', 'QD score', fmt(m.qdScore, 6)]];
      /** @type {[string, string, string][]} */
      const stats = [
        ['proposals', 'Proposals', `${fmt(m.proposals)}${budget}`],
        ['evaluations', 'Evaluations', fmt(m.evaluations)],
        ['cache', 'Cache hits', `${fmt(hits)} (${ok > 0 ? pct(hits / ok) : '–'})`],
        ['failures', 'Failures', fmt(m.failures)],
        ...(pruned > 0 ? [/** @type {[string, string, string]} */ (['pruned', 'Pruned', fmt(pruned)])] : []),
        ['best', `Best fitness (${s.direction === 'minimize' ? 'lower' : 'higher'} is better)`, fmt(m.best, 6)],
        ['coverage', 'Coverage', `${pct(m.coverage)} (${fmt(m.size)} / ${fmt(m.cells)})`],
        ...scores,
        ['time', 'Time', duration(m.seconds)],
      ];
      const status = `${s.status}${m.stopReason ? ` (${m.stopReason})` : ''}`;
      this.header.replaceChildren(
        ...(this.live ? [h('p', { class: 'crumb' }, h('a', { href: '/' }, '← All runs'))] : []),
        h('h1', {}, s.name, h('span', { class: 'id' }, s.runId)),
        h(
          'p',
          {},
          h('span', { id: 'run-status', class: `status status-${s.status}` }, status),
          this.liveNote,
          h(
            'span',
            { class: 'live' },
            this.live
              ? `updated ${new Date(s.generatedAt).toLocaleTimeString()}`
              : `report written ${new Date(s.generatedAt).toLocaleString()}`,
          ),
        ),
        ...(m.error ? [h('p', { class: 'error' }, `Error: ${m.error}`)] : []),
        ...(m.scoredBy
          ? [
              h(
                'p',
                { id: 'scored-by', class: m.scoredBy.caveat ? 'caveat' : 'scorer' },
                `Scored by ${m.scoredBy.scorer}`,
                ...(m.scoredBy.caveat ? [h('strong', {}, ` — ${m.scoredBy.caveat}`)] : []),
              ),
            ]
          : []),
        h(
          'dl',
          { class: 'stats' },
          ...stats.map(([key, label, value]) =>
            h('div', {}, h('dt', {}, label), h('dd', { id: `stat-${key}` }, value)),
          ),
        ),
        ...(s.failureKinds.length
          ? [
              h(
                'p',
                { class: 'note' },
                `Failures by kind: ${s.failureKinds.map((f) => `${f.kind} ${fmt(f.count)}`).join(', ')}`,
              ),
            ]
          : []),
      );
    }

    renderControls() {
      const dims = /** @type {Snapshot} */ (this.snapshot).map.dims;
      if (dims.length <= 2) return;
      /** @param {string} label @param {0 | 1} axis */
      const select = (label, axis) => {
        const el = /** @type {HTMLSelectElement} */ (
          h('select', { id: `axis-${axis}` }, ...dims.map((d, i) => h('option', { value: String(i) }, d.name)))
        );
        el.value = String(this.axes[axis]);
        el.addEventListener('change', () => {
          this.axes[axis] = Number(el.value);
          this.renderMap();
        });
        return h('label', {}, `${label} `, el);
      };
      this.controls.replaceChildren(
        select('x axis', 0),
        select('y axis', 1),
        h('span', { class: 'muted' }, 'Other dims are projected: each point shows the best elite over them.'),
      );
    }

    /** The map: a heatmap of grid bins, or the CVT centroids as points (empty cells in grey). */
    renderMap() {
      const s = /** @type {Snapshot} */ (this.snapshot);
      const map = s.map;
      const dims = map.dims;
      this.mapPanel.hidden = map.type === 'none'; // a single front (the pareto archive): no cells to draw
      this.mapSection.setAttribute('aria-labelledby', map.type === 'none' ? 'pareto-title' : 'map-title');
      const [ax, ay] = dims.length === 1 ? [0, -1] : this.axes;
      const dx = dims[ax];
      const dy = ay >= 0 ? dims[ay] : undefined;
      if (!dx) return;
      const cmp = better(s.direction);
      // Project onto the two drawn dims, keeping the best elite at each drawn position (all of them in 1-D/2-D).
      /** @type {Map<string, number[]>} */
      const drawn = new Map();
      for (const c of map.filled) {
        const x = c.pos[ax] ?? 0;
        const y = ay >= 0 ? (c.pos[ay] ?? 0) : 0;
        const key = dims.length <= 2 ? String(c.cell) : `${x},${y}`;
        const held = drawn.get(key);
        if (!held || cmp(c.fitness, /** @type {number} */ (held[2])) < 0) drawn.set(key, [x, y, c.fitness, c.id]);
      }
      const points = [...drawn.values()];
      const fit = map.filled.map((c) => c.fitness);
      const lo = fit.length ? Math.min(...fit) : 0;
      const hi = fit.length ? Math.max(...fit) : 1;
      const colors = s.direction === 'minimize' ? [...PALETTE].reverse() : PALETTE;
      /** @param {number} i @param {import('../snapshot-types.js').SnapshotDim} d */
      const binLabel = (i, d) =>
        d.edges && d.edges.length > i + 1
          ? fmt((d.edges[i] + d.edges[i + 1]) / 2, 3) // sliding boundaries: the middle of this bin's own range
          : fmt(d.min + ((i + 0.5) * (d.max - d.min)) / (d.bins ?? 1), 3);
      /** @type {any[]} */
      const series = [];
      /** @type {ChartOption} */
      let axes;
      if (map.type === 'grid') {
        axes = {
          xAxis: {
            type: 'category',
            name: dx.name,
            nameLocation: 'middle',
            nameGap: 28,
            data: Array.from({ length: dx.bins ?? 1 }, (_, i) => binLabel(i, dx)),
            splitArea: { show: true },
          },
          yAxis: {
            type: 'category',
            name: dy?.name ?? '',
            nameLocation: 'middle',
            nameGap: 44,
            data: dy ? Array.from({ length: dy.bins ?? 1 }, (_, i) => binLabel(i, dy)) : [''],
            splitArea: { show: true },
          },
        };
        series.push({
          name: 'elites',
          type: 'heatmap',
          data: points,
          progressive: 0,
          emphasis: { itemStyle: { borderColor: '#000', borderWidth: 2 } },
        });
      } else {
        const size = Math.max(3, Math.min(16, 420 / Math.sqrt(Math.max(1, map.cells))));
        axes = {
          xAxis: { type: 'value', name: dx.name, nameLocation: 'middle', nameGap: 28, min: dx.min, max: dx.max },
          yAxis: {
            type: 'value',
            name: dy?.name ?? '',
            nameLocation: 'middle',
            nameGap: 44,
            min: dy?.min ?? -1,
            max: dy?.max ?? 1,
          },
        };
        if (map.centroids) {
          series.push({
            name: 'empty cells',
            type: 'scatter',
            silent: true,
            symbolSize: size * 0.5,
            itemStyle: { color: '#c8ccd0' },
            data: map.centroids.map((c) => [c[ax] ?? 0, ay >= 0 ? (c[ay] ?? 0) : 0]),
            progressive: 0,
          });
        }
        series.push({
          name: 'elites',
          type: 'scatter',
          symbolSize: size,
          data: points,
          progressive: 0,
          emphasis: { itemStyle: { borderColor: '#000', borderWidth: 2 } },
        });
      }
      const elitesIndex = series.length - 1;
      this.map.setOption(
        /** @type {ChartOption} */ ({
          animation: false,
          grid: { left: 64, right: 110, top: 16, bottom: 48 },
          tooltip: {
            trigger: 'item',
            formatter: (/** @type {any} */ p) => {
              if (p.seriesName !== 'elites') return '';
              const v = /** @type {number[]} */ (p.value);
              const where =
                map.type === 'grid'
                  ? `${dx.name} ≈ ${binLabel(v[0] ?? 0, dx)}${dy ? `, ${dy.name} ≈ ${binLabel(v[1] ?? 0, dy)}` : ''}`
                  : `${dx.name} ${fmt(v[0])}${dy ? `, ${dy.name} ${fmt(v[1])}` : ''}`;
              return tooltip(`elite ${v[3]}`, where, `fitness ${fmt(v[2], 6)}`);
            },
          },
          ...axes,
          visualMap: {
            type: 'continuous',
            seriesIndex: elitesIndex,
            dimension: 2,
            min: lo,
            max: hi === lo ? lo + 1 : hi,
            calculable: true,
            orient: 'vertical',
            right: 4,
            top: 'middle',
            itemHeight: 180,
            text: [s.direction === 'minimize' ? 'worse' : 'better', s.direction === 'minimize' ? 'better' : 'worse'],
            inRange: { color: colors },
            formatter: (/** @type {number} */ v) => fmt(v, 3),
          },
          series,
        }),
        { notMerge: true },
      );
      this.mapEl.dataset.cells = String(points.length);
      const shape =
        map.type === 'grid'
          ? `${dims.map((d) => `${d.bins} ${d.name}`).join(' × ')} grid`
          : `CVT with ${fmt(map.cells)} cells`;
      this.mapEl.setAttribute(
        'aria-label',
        `Archive map, ${shape}: ${fmt(s.summary.size)} of ${fmt(map.cells)} cells filled, fitness from ${fmt(lo)} to ${fmt(hi)}. The elites table below lists the same elites.`,
      );
      this.mapTitle.textContent = `Archive (${shape})`;
      this.mapNote.textContent = `${fmt(points.length)} ${map.type === 'grid' ? 'cells' : 'points'} drawn. Colour is fitness (${s.direction === 'minimize' ? 'lower' : 'higher'} is better). Click one to see its elite.`;
      this.highlight();
    }

    renderSeries() {
      const s = /** @type {Snapshot} */ (this.snapshot);
      const hist = s.history;
      const width = s.timeline.length ? s.timeline[0].to - s.timeline[0].from + 1 : 1;
      const hasPruned = (s.summary.pruned ?? 0) > 0 || s.timeline.some((b) => (b.pruned ?? 0) > 0);
      /** @type {Record<string, { data: any[], name: string, y?: string, stacked?: boolean, bar?: boolean, series?: { name: string, data: number[][] }[] }>} */
      const defs = {
        qd: { name: 'QD score', data: hist.map((p) => [p.proposals, p.qdScore]) },
        coverage: { name: 'coverage', y: '%', data: hist.map((p) => [p.proposals, p.coverage * 100]) },
        best: { name: 'best fitness', data: hist.filter((p) => p.best !== null).map((p) => [p.proposals, p.best]) },
        hits: {
          name: 'cache hits',
          y: '%',
          stacked: true,
          data: [],
          series: [
            {
              name: 'key hits',
              data: s.timeline.map((b) => [b.to + 1, (100 * b.keyHits) / Math.max(1, b.to - b.from + 1)]),
            },
            {
              name: 'fingerprint hits',
              data: s.timeline.map((b) => [b.to + 1, (100 * b.fingerprintHits) / Math.max(1, b.to - b.from + 1)]),
            },
          ],
        },
        failures: {
          name: 'failures',
          bar: true,
          data: [],
          series: [
            { name: 'failures', data: s.timeline.map((b) => [b.to + 1, b.failures]) },
            // Early stopping: the pruner's stops are outcomes of their own, not failures.
            ...(hasPruned ? [{ name: 'pruned', data: s.timeline.map((b) => [b.to + 1, b.pruned ?? 0]) }] : []),
          ],
        },
        hypervolume: {
          name: 'hypervolume',
          data: hist.flatMap((p) => (p.hypervolume === undefined ? [] : [[p.proposals, p.hypervolume]])),
        },
      };
      for (const item of this.series) {
        const d = defs[item.key];
        if (!d || !item.chart) continue;
        const lines = d.series ?? [{ name: d.name, data: d.data }];
        item.chart.setOption(
          /** @type {ChartOption} */ ({
            animation: false,
            grid: { left: 64, right: 20, top: 28, bottom: 40 },
            tooltip: { trigger: 'axis', valueFormatter: (/** @type {any} */ v) => `${fmt(Number(v))}${d.y ?? ''}` },
            legend: lines.length > 1 ? { top: 0 } : { show: false },
            xAxis: {
              type: 'value',
              name: 'proposals',
              nameLocation: 'middle',
              nameGap: 26,
              min: 0,
              max: Math.max(1, s.summary.proposals),
            },
            yAxis: {
              type: 'value',
              scale: item.key === 'best' || item.key === 'hypervolume',
              axisLabel: { formatter: (/** @type {number} */ v) => `${fmt(v, 3)}${d.y ?? ''}` },
            },
            series: lines.map((l, i) => ({
              name: l.name,
              type: d.bar ? 'bar' : 'line',
              data: l.data,
              showSymbol: l.data.length < 3,
              step: item.key === 'best' ? 'end' : undefined,
              ...(d.stacked ? { stack: 'hits', areaStyle: { opacity: 0.35 } } : {}),
              ...(d.bar ? { barMaxWidth: 8, itemStyle: { color: ['#a40e26', '#8c959f'][i] } } : {}),
              lineStyle: { width: 2 },
              color: d.bar ? undefined : ['#0550ae', '#8250df'][i],
            })),
          }),
          { notMerge: true },
        );
        const last = lines
          .map((l) => `${l.name} ${fmt(/** @type {number | undefined} */ (l.data.at(-1)?.[1]))}${d.y ?? ''}`)
          .join(', ');
        item.el.setAttribute(
          'aria-label',
          `${item.title} over ${fmt(s.summary.proposals)} proposals; latest: ${last || 'no data yet'}`,
        );
      }
      const failures = this.series.find((x) => x.key === 'failures');
      if (failures) {
        failures.title = hasPruned ? 'Failures and pruned' : 'Failures';
        failures.titleText.textContent = failures.title;
      }
      const note = document.getElementById('chart-failures-desc');
      if (failures && note) note.textContent = `per ${fmt(width)} proposal${width === 1 ? '' : 's'}`;
      const hitsNote = document.getElementById('chart-hits-desc');
      if (hitsNote)
        hitsNote.textContent = `key and fingerprint hits, % of each ${fmt(width)} proposal${width === 1 ? '' : 's'}`;
    }

    /**
     * Learning curves (ctx.report): each listed elite's own reports, the selected elite's (or, until one is chosen,
     * the best's) highlighted, and the snapshot's sample of pruned candidates faded behind them. One polyline per
     * curve (a `lines` series), so every curve is its own drawn element. Hidden for runs without reports.
     */
    renderCurves() {
      const s = /** @type {Snapshot} */ (this.snapshot);
      const c = s.curves;
      this.curvesSection.hidden = !c;
      if (!c) return;
      if (!this.curves) {
        this.curves = makeChart(this.curvesEl);
        this.curves.on('click', (params) => {
          const id = idOf(params.data);
          if ((params.seriesName === 'elites' || params.seriesName === 'selected') && typeof id === 'number')
            this.select(id, false);
        });
      }
      const withCurves = s.elites.filter((e) => e.curve && e.curve.length > 0);
      const chosen = this.selectedId !== undefined ? withCurves.find((e) => e.id === this.selectedId) : withCurves[0]; // the listed elites come best first
      const others = withCurves.filter((e) => e !== chosen);
      /**
       * One group of curves as two series of one name: a `lines` polyline per curve of two reports or more, and a
       * dot per curve of a single report (a candidate pruned at its first report has no line to draw).
       * @param {string} name @param {{ id: number, curve: Curve }[]} curves
       * @param {{ color: string, width: number, opacity: number, z: number, silent?: boolean }} look
       */
      const group = (name, curves, look) => [
        {
          id: `${name}-lines`,
          name,
          type: 'lines',
          coordinateSystem: 'cartesian2d',
          polyline: true,
          large: false,
          progressive: 0,
          silent: look.silent ?? false,
          z: look.z,
          lineStyle: { color: look.color, width: look.width, opacity: look.opacity },
          emphasis: { lineStyle: { width: look.width + 1, opacity: 1 } },
          data: curves
            .filter((k) => k.curve.length > 1)
            .map((k) => ({ id: k.id, coords: k.curve.map(([x, y]) => [x, y]) })),
        },
        {
          id: `${name}-points`,
          name,
          type: 'scatter',
          large: false,
          progressive: 0,
          silent: look.silent ?? false,
          z: look.z,
          symbolSize: 2 + 2 * look.width,
          itemStyle: { color: look.color, opacity: look.opacity },
          data: curves.filter((k) => k.curve.length === 1).map((k) => [k.curve[0]?.[0], k.curve[0]?.[1], k.id]),
        },
      ];
      /** @param {SnapshotElite} e */
      const curveOf = (e) => ({ id: e.id, curve: /** @type {Curve} */ (e.curve) });
      // The extent of every point drawn (a loop: thousands of curves would overflow Math.min's arguments).
      let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
      for (const k of [...withCurves.map((e) => /** @type {Curve} */ (e.curve)), ...c.pruned.map((p) => p.curve)])
        for (const [x, y] of k) {
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
      if (x0 > x1) [x0, x1, y0, y1] = [0, 1, 0, 1];
      const fitnessOf = new Map(s.elites.map((e) => [e.id, e.fitness]));
      this.curves.setOption(
        /** @type {ChartOption} */ ({
          animation: false,
          grid: { left: 72, right: 24, top: 32, bottom: 52 },
          legend: { top: 0, data: ['selected', 'elites', 'pruned'] },
          tooltip: {
            trigger: 'item',
            formatter: (/** @type {any} */ q) => {
              const id = idOf(q.data);
              const coords = Array.isArray(q.data) ? [q.data] : (q.data?.coords ?? []);
              const last = coords.at(-1);
              const what = q.seriesName === 'pruned' ? `pruned candidate ${id}` : `elite ${id}`;
              const fitness = id === undefined ? undefined : fitnessOf.get(id);
              return tooltip(
                what,
                `${fmt(coords.length)} report${coords.length === 1 ? '' : 's'}, the last at step ${fmt(last?.[0])}: ${fmt(last?.[1], 6)}`,
                ...(fitness !== undefined ? [`fitness ${fmt(fitness, 6)}`] : []),
              );
            },
          },
          xAxis: {
            type: 'value',
            name: 'step',
            nameLocation: 'middle',
            nameGap: 30,
            min: x0,
            max: x1 > x0 ? x1 : x0 + 1,
            minInterval: 1,
          },
          // (`lines` series do not widen the axes: the y axis takes a nice extent from an invisible two-point series.)
          yAxis: {
            type: 'value',
            name: 'reported value',
            nameLocation: 'middle',
            nameGap: 52,
            scale: true,
            axisLabel: { formatter: (/** @type {number} */ v) => fmt(v, 3) },
          },
          series: [
            ...group('pruned', [...c.pruned], { color: '#8c959f', width: 1, opacity: 0.3, z: 1, silent: true }),
            ...group('elites', others.map(curveOf), { color: '#0550ae', width: 1.5, opacity: 0.6, z: 2 }),
            ...group('selected', chosen ? [curveOf(chosen)] : [], { color: '#bc4c00', width: 3, opacity: 1, z: 3 }),
            {
              id: 'extent',
              type: 'scatter',
              silent: true,
              symbolSize: 0,
              tooltip: { show: false },
              data: [
                [x0, y0],
                [x1, y1],
              ],
            },
          ],
        }),
        { notMerge: true },
      );
      const sample =
        c.prunedTotal > c.pruned.length
          ? `the last ${fmt(c.pruned.length)} of ${fmt(c.prunedTotal)} pruned candidates`
          : `${fmt(c.pruned.length)} pruned candidate${c.pruned.length === 1 ? '' : 's'}`;
      const which = chosen
        ? `elite ${chosen.id}${this.selectedId === undefined ? ' (the best)' : ''} highlighted`
        : this.selectedId !== undefined
          ? `elite ${this.selectedId} has no curve in this snapshot`
          : 'no elite curve to highlight';
      this.curvesEl.dataset.elites = String(withCurves.length);
      this.curvesEl.dataset.pruned = String(c.pruned.length);
      this.curvesEl.setAttribute(
        'aria-label',
        `Learning curves, reported value against step: ${fmt(withCurves.length)} elite curve${withCurves.length === 1 ? '' : 's'} (${which}) and ${sample} (faded). The elites table lists the same elites.`,
      );
      const notListed =
        s.elitesTotal > s.elites.length ? ` Only the ${fmt(s.elites.length)} listed elites are drawn.` : '';
      this.curvesNote.textContent = `What each evaluation reported as it ran (ctx.report). Elites in blue, the selected one (or the best, until one is chosen) in orange; grey: ${sample} the pruner stopped early.${notListed} Click a curve, a cell or a row to select its elite.`;
    }

    /** @returns {{ key: string, label: string, num: boolean, get: (e: SnapshotElite) => number | string }[]} */
    columns() {
      const s = /** @type {Snapshot} */ (this.snapshot);
      return [
        { key: 'id', label: 'id', num: true, get: (e) => e.id },
        { key: 'fitness', label: 'fitness', num: true, get: (e) => e.fitness },
        ...s.map.dims.map((d, i) => ({
          key: `d:${i}`,
          label: d.name,
          num: true,
          get: (/** @type {SnapshotElite} */ e) => e.descriptors[i] ?? Number.NaN,
        })),
        ...s.metricNames.slice(0, 6).map((name) => ({
          key: `m:${name}`,
          label: s.map.dims.some((d) => d.name === name) ? `${name} (metric)` : name,
          num: true,
          get: (/** @type {SnapshotElite} */ e) => e.metrics[name] ?? Number.NaN,
        })),
        // Aggregate mode: the samples behind each mean; fewer than cache.minSamples is a provisional elite.
        ...(s.elites.some((e) => e.samples !== undefined)
          ? [
              {
                key: 'samples',
                label: 'samples',
                num: true,
                get: (/** @type {SnapshotElite} */ e) => e.samples ?? Number.NaN,
              },
            ]
          : []),
        {
          key: 'text',
          label: 'elite',
          num: false,
          get: (/** @type {SnapshotElite} */ e) => (e.provisional ? `(provisional) ${e.text}` : e.text),
        },
      ];
    }

    renderTable() {
      const s = /** @type {Snapshot} */ (this.snapshot);
      const columns = this.columns();
      const column = columns.find((c) => c.key === this.sort.key) ?? columns[1];
      if (!column) return;
      const sign = this.sort.descending ? -1 : 1;
      const rows = [...s.elites].sort((a, b) => {
        const x = column.get(a);
        const y = column.get(b);
        const order =
          typeof x === 'number' && typeof y === 'number'
            ? Number.isNaN(x)
              ? 1
              : Number.isNaN(y)
                ? -1
                : x - y
            : String(x).localeCompare(String(y));
        return sign * order || a.id - b.id;
      });
      const focusedId =
        document.activeElement instanceof HTMLTableRowElement ? Number(document.activeElement.dataset.id) : undefined;
      const head = h(
        'tr',
        {},
        ...columns.map((c) => {
          const active = c.key === column.key;
          const button = h(
            'button',
            { type: 'button', 'data-key': c.key, 'aria-label': `sort by ${c.label}` },
            c.label,
            ' ',
            h('span', { class: 'arrow', 'aria-hidden': 'true' }, active ? (this.sort.descending ? '▼' : '▲') : ''),
          );
          button.addEventListener('click', () => {
            if (this.sort.key === c.key) this.sort.descending = !this.sort.descending;
            else {
              this.sort.key = c.key;
              this.sort.descending = c.key === 'fitness' ? s.direction !== 'minimize' : false;
            }
            this.sort.touched = true;
            this.renderTable();
            /** @type {HTMLElement | null} */ (
              this.table.querySelector(`th button[data-key="${CSS.escape(c.key)}"]`)
            )?.focus();
          });
          return h(
            'th',
            { scope: 'col', 'aria-sort': active ? (this.sort.descending ? 'descending' : 'ascending') : undefined },
            button,
          );
        }),
      );
      const body = h('tbody');
      for (const e of rows) {
        const tr = h(
          'tr',
          {
            tabindex: '0',
            'data-id': String(e.id),
            'aria-current': e.id === this.selectedId ? 'true' : undefined,
            'aria-label': `elite ${e.id}, fitness ${fmt(e.fitness, 6)}`,
          },
          ...columns.map((c) => {
            const v = c.get(e);
            return c.num
              ? h('td', { class: 'num' }, fmt(/** @type {number} */ (v)))
              : h('td', { class: 'text', title: String(v) }, String(v));
          }),
        );
        body.append(tr);
      }
      body.addEventListener('click', (ev) => {
        const tr = /** @type {HTMLElement} */ (ev.target).closest('tr');
        if (tr?.dataset.id) this.select(Number(tr.dataset.id), true);
      });
      body.addEventListener('keydown', (ev) => {
        const tr = /** @type {HTMLElement} */ (ev.target).closest('tr');
        if (!tr) return;
        /** @type {Element | null | undefined} */
        let next;
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          this.select(Number(tr.dataset.id), true);
          return;
        }
        if (ev.key === 'ArrowDown') next = tr.nextElementSibling;
        else if (ev.key === 'ArrowUp') next = tr.previousElementSibling;
        else if (ev.key === 'Home') next = tr.parentElement?.firstElementChild;
        else if (ev.key === 'End') next = tr.parentElement?.lastElementChild;
        if (next instanceof HTMLElement) {
          ev.preventDefault();
          next.focus();
        }
      });
      const shown =
        s.elitesTotal > s.elites.length
          ? `the best ${fmt(s.elites.length)} of ${fmt(s.elitesTotal)} elites (the map shows them all)`
          : `${fmt(s.elites.length)} elites`;
      this.table.replaceChildren(
        h(
          'caption',
          {},
          `${shown}, sorted by ${column.label} (${this.sort.descending ? 'descending' : 'ascending'}). Column headers sort; rows take focus (arrow keys move, Enter shows the elite).`,
        ),
        h('thead', {}, head),
        body,
      );
      this.tableNote.textContent =
        s.elitesTotal > s.elites.length
          ? `Showing the best ${fmt(s.elites.length)} of ${fmt(s.elitesTotal)} elites.`
          : '';
      if (focusedId !== undefined)
        /** @type {HTMLElement | null} */ (body.querySelector(`tr[data-id="${focusedId}"]`))?.focus({
          preventScroll: true,
        });
    }

    /** @param {number} id @param {boolean} fromTable */
    select(id, fromTable) {
      this.selectedId = id;
      this.renderDetail();
      for (const tr of this.table.querySelectorAll('tbody tr')) {
        if (/** @type {HTMLElement} */ (tr).dataset.id === String(id)) tr.setAttribute('aria-current', 'true');
        else tr.removeAttribute('aria-current');
      }
      this.highlight();
      this.renderCurves();
      if (!fromTable)
        /** @type {HTMLElement | null} */ (this.table.querySelector(`tr[data-id="${id}"]`))?.scrollIntoView({
          block: 'nearest',
        });
    }

    highlight() {
      const s = this.snapshot;
      if (!s) return;
      this.map.dispatchAction({ type: 'downplay', seriesName: 'elites' });
      if (this.selectedId === undefined) return;
      const opt = /** @type {any} */ (this.map.getOption());
      const series = /** @type {{ name: string, data: number[][] }[]} */ (opt.series ?? []);
      const elites = series.find((x) => x.name === 'elites');
      // A Pareto member that is not its cell's best: the map shows its cell by the cell's best member.
      const cell = s.pareto?.members.find((m) => m.id === this.selectedId)?.cell;
      const shown = s.map.filled.find((c) => c.cell === cell)?.id ?? this.selectedId;
      const dataIndex = elites ? elites.data.findIndex((v) => v[3] === shown) : -1;
      if (dataIndex >= 0) this.map.dispatchAction({ type: 'highlight', seriesName: 'elites', dataIndex });
      this.highlightMember(false);
    }

    /** The selected member on the Pareto scatter (emphasis; with `tip`, its tooltip too, for the keyboard). */
    highlightMember(/** @type {boolean} */ tip) {
      const chart = this.pareto;
      if (!chart) return;
      chart.dispatchAction({ type: 'downplay', seriesName: ['front', 'dominated'] });
      chart.dispatchAction({ type: 'hideTip' });
      if (this.selectedId === undefined) return;
      const opt = /** @type {any} */ (chart.getOption());
      const series = /** @type {{ name: string, data: number[][] }[]} */ (opt.series ?? []);
      for (let seriesIndex = 0; seriesIndex < series.length; seriesIndex++) {
        const x = /** @type {{ name: string, data: number[][] }} */ (series[seriesIndex]);
        if (x.name !== 'front' && x.name !== 'dominated') continue;
        const dataIndex = x.data.findIndex((v) => v[2] === this.selectedId);
        if (dataIndex < 0) continue;
        chart.dispatchAction({ type: 'highlight', seriesIndex, dataIndex });
        if (tip) chart.dispatchAction({ type: 'showTip', seriesIndex, dataIndex });
      }
    }

    /** Arrow keys on the focused Pareto scatter step through the members along its x axis, selecting each. */
    paretoKey(/** @type {KeyboardEvent} */ ev) {
      const order = this.paretoOrder;
      if (!order.length) return;
      const at = this.selectedId === undefined ? -1 : order.indexOf(this.selectedId);
      /** @type {number | undefined} */
      let next;
      if (ev.key === 'ArrowRight' || ev.key === 'ArrowDown') next = at < 0 ? 0 : Math.min(order.length - 1, at + 1);
      else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowUp') next = at < 0 ? 0 : Math.max(0, at - 1);
      else if (ev.key === 'Home') next = 0;
      else if (ev.key === 'End') next = order.length - 1;
      if (next === undefined) return;
      ev.preventDefault();
      this.select(/** @type {number} */ (order[next]), false);
      this.highlightMember(true);
    }

    /** Names an objective with its direction: "f1 (↓ lower is better)". @param {number} i */
    objectiveLabel(i) {
      const p = /** @type {NonNullable<Snapshot['pareto']>} */ (/** @type {Snapshot} */ (this.snapshot).pareto);
      const name = p.names[i] ?? `objective ${i + 1}`;
      return p.directions[i] === 'minimize' ? `${name} (↓ lower is better)` : `${name} (↑ higher is better)`;
    }

    /**
     * The Pareto scatter of two objectives (the first two, or those chosen): members on the global front solid,
     * dominated ones (by a member of any cell, in all objectives) faded; the reference point when it is near them.
     */
    renderPareto() {
      const s = /** @type {Snapshot} */ (this.snapshot);
      const p = s.pareto;
      const chart = this.pareto;
      if (!p || !chart) return;
      const n = p.names.length;
      if (!this.paretoControls.childElementCount && n > 2) {
        /** @param {string} label @param {0 | 1} axis */
        const select = (label, axis) => {
          const el = /** @type {HTMLSelectElement} */ (
            h('select', { id: `objective-${axis}` }, ...p.names.map((d, i) => h('option', { value: String(i) }, d)))
          );
          el.value = String(this.objectiveAxes[axis]);
          el.addEventListener('change', () => {
            this.objectiveAxes[axis] = Number(el.value);
            this.renderPareto();
          });
          return h('label', {}, `${label} `, el);
        };
        this.paretoControls.replaceChildren(
          select('x axis', 0),
          select('y axis', 1),
          h('span', { class: 'muted' }, 'Dominated means in all objectives, not only the two drawn.'),
        );
      }
      const [ax, ay] = this.objectiveAxes;
      /** @param {ParetoMember} m @returns {number[]} */
      const point = (m) => [m.objectives[ax] ?? Number.NaN, m.objectives[ay] ?? Number.NaN, m.id];
      const front = p.members.filter((m) => !m.dominated);
      const dominated = p.members.filter((m) => m.dominated);
      const byId = new Map(p.members.map((m) => [m.id, m]));
      this.paretoOrder = [...p.members]
        .sort(
          (a, b) =>
            (a.objectives[ax] ?? 0) - (b.objectives[ax] ?? 0) ||
            (a.objectives[ay] ?? 0) - (b.objectives[ay] ?? 0) ||
            a.id - b.id,
        )
        .map((m) => m.id);
      // The reference point bounds the hypervolume: drawn when it lies within half a span of the members (a far
      // one would squeeze the front into a corner), otherwise named in the note.
      const rx = p.reference[ax];
      const ry = p.reference[ay];
      /** @param {number} i @param {number | undefined} v */
      const near = (i, v) => {
        if (v === undefined || !p.members.length) return false;
        const values = p.members.map((m) => m.objectives[i] ?? 0);
        const lo = Math.min(...values);
        const hi = Math.max(...values);
        const span = Math.max(hi - lo, Math.abs(hi) * 1e-9, 1e-12);
        return v >= lo - span / 2 && v <= hi + span / 2;
      };
      const drawReference = near(ax, rx) && near(ay, ry);
      const size = Math.max(5, Math.min(10, 300 / Math.sqrt(Math.max(1, p.members.length))));
      chart.setOption(
        /** @type {ChartOption} */ ({
          animation: false,
          grid: { left: 72, right: 24, top: 28, bottom: 52 },
          legend: { top: 0, data: ['front', 'dominated'] },
          tooltip: {
            trigger: 'item',
            formatter: (/** @type {any} */ q) => {
              if (q.seriesName === 'reference')
                return tooltip(
                  'reference point',
                  `${this.objectiveLabel(ax)} ${fmt(rx)}`,
                  `${this.objectiveLabel(ay)} ${fmt(ry)}`,
                );
              const m = byId.get(Number(/** @type {number[]} */ (q.value)[2]));
              if (!m) return '';
              return tooltip(
                `member ${m.id} (cell ${fmt(m.cell)})`,
                ...p.names.map((name, i) => `${name} ${fmt(m.objectives[i], 6)}`),
                m.dominated ? 'dominated' : 'on the global front',
              );
            },
          },
          xAxis: {
            type: 'value',
            scale: true,
            name: this.objectiveLabel(ax),
            nameLocation: 'middle',
            nameGap: 30,
            axisLabel: { formatter: (/** @type {number} */ v) => fmt(v, 3) },
          },
          yAxis: {
            type: 'value',
            scale: true,
            name: this.objectiveLabel(ay),
            nameLocation: 'middle',
            nameGap: 52,
            axisLabel: { formatter: (/** @type {number} */ v) => fmt(v, 3) },
          },
          series: [
            {
              name: 'dominated',
              type: 'scatter',
              large: false,
              progressive: 0,
              symbolSize: size,
              data: dominated.map(point),
              itemStyle: { color: '#8c959f', opacity: 0.3 },
              emphasis: { itemStyle: { opacity: 1, borderColor: '#000', borderWidth: 2 } },
            },
            {
              name: 'front',
              type: 'scatter',
              large: false,
              progressive: 0,
              symbolSize: size + 2,
              data: front.map(point),
              itemStyle: { color: '#0550ae', opacity: 1 },
              emphasis: { itemStyle: { borderColor: '#000', borderWidth: 2 } },
            },
            ...(drawReference
              ? [
                  {
                    name: 'reference',
                    type: 'scatter',
                    symbol: 'diamond',
                    symbolSize: 12,
                    data: [[rx, ry]],
                    itemStyle: { color: '#fff', borderColor: '#a40e26', borderWidth: 2 },
                    label: { show: true, position: 'right', formatter: 'reference', color: '#a40e26' },
                  },
                ]
              : []),
          ],
        }),
        { notMerge: true },
      );
      const drawn = `${fmt(p.members.length)}${p.membersTotal > p.members.length ? ` of ${fmt(p.membersTotal)}` : ''}`;
      this.paretoEl.dataset.points = String(p.members.length);
      this.paretoEl.setAttribute(
        'aria-label',
        `Pareto-front scatter, ${this.objectiveLabel(ax)} against ${this.objectiveLabel(ay)}: ${drawn} members drawn, ${fmt(front.length)} on the global front (solid), ${fmt(dominated.length)} dominated (faded); hypervolume ${fmt(p.hypervolume, 6)}. Arrow keys step through the members along the x axis and show each in the elite panel.`,
      );
      const refNote = drawReference
        ? 'The diamond is the reference point of the hypervolume.'
        : `The reference point of the hypervolume (${p.reference.map((v) => fmt(v)).join(', ')}) is off the chart.`;
      const limited =
        p.membersTotal > p.members.length
          ? ` Showing ${fmt(p.members.length)} of ${fmt(p.membersTotal)} members: the global front first, then dominated members spread over the cells; ${fmt(p.dominatedTotal)} of all are dominated.`
          : '';
      this.paretoNote.textContent = `${drawn} members of the cells' fronts: solid on the global front, faded when another member (of any cell) dominates them. ${refNote} Click a point, or focus the chart and use the arrow keys, to see that member.${limited}`;
      this.highlightMember(false);
    }

    renderDetail() {
      const s = /** @type {Snapshot} */ (this.snapshot);
      const id = this.selectedId;
      const member = s.pareto?.members.find((x) => x.id === id);
      const e = member ?? s.elites.find((x) => x.id === id);
      const cell = s.map.filled.find((c) => c.id === id);
      if (!e) {
        this.detail.replaceChildren(
          cell
            ? h(
                'p',
                {},
                `Elite ${id}: fitness ${fmt(cell.fitness, 6)}. Its text is not in this snapshot (only the best ${fmt(s.elitesLimit)} elites are listed).`,
              )
            : h(
                'p',
                { class: 'muted' },
                `${s.pareto ? 'Member' : 'Elite'} ${id} is no longer in the archive (a better one replaced it).`,
              ),
        );
        return;
      }
      /** @type {[string, string][]} */
      const rows = [
        ['id', String(e.id)],
        ['cell', fmt(e.cell)],
        ['fitness', fmt(e.fitness, 8)],
        ...(member && s.pareto
          ? [
              ...s.pareto.names.map(
                (_, i) => /** @type {[string, string]} */ ([this.objectiveLabel(i), fmt(member.objectives[i], 8)]),
              ),
              /** @type {[string, string]} */ ([
                'Pareto',
                member.dominated ? 'dominated by another member' : 'on the global front',
              ]),
            ]
          : []),
        ...s.map.dims.map((d, i) => /** @type {[string, string]} */ ([d.name, fmt(e.descriptors[i], 6)])),
        ...Object.entries(e.metrics).map(([k, v]) => /** @type {[string, string]} */ ([k, fmt(v, 6)])),
      ];
      this.detail.replaceChildren(
        h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        h('h3', { class: 'note' }, 'describe()'),
        h('pre', { class: 'text', id: 'elite-text' }, e.text),
      );
    }

    /** @param {string} text @param {boolean} [bad] */
    setLive(text, bad = false) {
      this.liveNote.textContent = text;
      this.liveNote.classList.toggle('error', bad);
    }
  }

  // ---------- the dashboard: run list and live run page ----------

  function runsPage() {
    document.title = 'Runs — elites dashboard';
    const body = h('tbody');
    const note = h('p', { class: 'live', role: 'status' });
    const table = h(
      'table',
      { class: 'runs' },
      h('caption', {}, "Every run under the dashboard's runs directory, newest first. Open one to follow it live."),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['run', 'status', 'progress', 'best', 'coverage', 'time'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      body,
    );
    main.replaceChildren(h('header', {}, h('h1', {}, 'elites runs'), note), h('div', { class: 'table-wrap' }, table));
    let last = '';
    const refresh = async () => {
      try {
        const response = await fetch('/api/runs', { cache: 'no-store' });
        if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
        const text = await response.text();
        note.textContent = `updated ${new Date().toLocaleTimeString()}`;
        note.classList.remove('error');
        if (text === last) return;
        last = text;
        const runs = /** @type {RunProbe[]} */ (JSON.parse(text));
        body.replaceChildren(
          ...(runs.length
            ? runs.map((r) => {
                const total = r.budget.evaluations;
                const progress = total
                  ? h('progress', {
                      max: String(total),
                      value: String(Math.min(total, r.proposals)),
                      'aria-label': `${r.id} progress`,
                    })
                  : null;
                return h(
                  'tr',
                  { 'data-run': r.id },
                  h(
                    'td',
                    {},
                    h('a', { href: `/runs/${encodeURIComponent(r.id)}` }, r.id),
                    r.name !== r.id ? h('span', { class: 'muted' }, ` ${r.name}`) : null,
                  ),
                  h('td', {}, h('span', { class: `status status-${r.status}`, title: r.error ?? '' }, r.status)),
                  h('td', { class: 'num' }, progress, `${fmt(r.proposals)}${total ? ` / ${fmt(total)}` : ''}`),
                  h('td', { class: 'num' }, fmt(r.best, 6)),
                  h('td', { class: 'num' }, pct(r.coverage)),
                  h('td', { class: 'num' }, duration(r.seconds)),
                );
              })
            : [h('tr', {}, h('td', { colspan: '6', class: 'muted' }, 'No runs yet.'))]),
        );
        document.body.dataset.runs = String(runs.length);
      } catch (error) {
        note.textContent = `cannot reach the dashboard: ${/** @type {Error} */ (error).message}`;
        note.classList.add('error');
      }
    };
    void refresh();
    setInterval(refresh, 2000);
  }

  /** @param {string} id */
  function livePage(id) {
    const view = new RunPage({ live: true });
    main.insertBefore(h('p', { class: 'loading' }, `Loading ${id}…`), main.firstChild);
    const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
    source.addEventListener('snapshot', (ev) => {
      main.querySelector('.loading')?.remove();
      const snapshot = /** @type {Snapshot} */ (JSON.parse(/** @type {MessageEvent} */ (ev).data));
      view.update(snapshot);
      view.setLive(snapshot.status === 'running' ? '● live' : '');
    });
    source.addEventListener('problem', (ev) =>
      view.setLive(`cannot read the run: ${JSON.parse(/** @type {MessageEvent} */ (ev).data).message}`, true),
    );
    source.addEventListener('error', () => view.setLive('reconnecting…', true));
    window.addEventListener('pagehide', () => source.close());
  }

  if (data.mode === 'report') new RunPage({ live: false }).update(data.snapshot);
  else if (data.mode === 'runs') runsPage();
  else if (data.mode === 'run') livePage(data.run);
})();
