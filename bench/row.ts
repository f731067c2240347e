// One row of `npm run bench`'s table and JSON (bench/results/results.{md,json}).
export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target: string;
  readonly met: boolean | null;
  readonly detail: string;
}
