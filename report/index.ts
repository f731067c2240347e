// Looking at runs: the self-contained HTML report, the snapshot it renders, and the live dashboard.
export { writeReport, type WrittenReport } from './report.js';
export { readSnapshot, buildSnapshot, type SnapshotOptions } from './snapshot.js';
export { startDashboard, type Dashboard, type DashboardOptions } from './server.js';
export { reportHtml } from './html.js';
export type {
  ReportSnapshot,
  SnapshotElite,
  SnapshotMap,
  MapCell,
  TimelineBucket,
  RunProbe,
} from './snapshot-types.js';
