// One row of `npm run bench`'s table and JSON (bench/results/results.{md,json}).
export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target: string;
  readonly met: boolean | null;
  readonly detail: string;
}

/** The markdown table of bench/results/*.md: a title, a line about the machine and the load, then one row per measure. */
export function benchTable(title: string, about: string, rows: readonly BenchRow[]): string {
  return [
    `# ${title}`,
    '',
    about,
    '',
    '| measure | value | target | met | detail |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.value.toLocaleString('en')} ${r.unit} | ${r.target} | ${r.met === null ? '–' : r.met ? 'yes' : 'no'} | ${r.detail} |`,
    ),
  ].join('\n');
}
