import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useDates } from '~/lib/use-dates';
import { ErrorPage } from '~/components/error-page';
import { requireTenant } from '~/lib/auth.server';
import { database } from '~/lib/db.server';
import { jobStats, listJobRuns } from '~/models/job-run.server';

export const meta: MetaFunction = () => [{ title: 'Background jobs · Settings · Leadflow' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'manager');
  const failedOnly = new URL(request.url).searchParams.get('failed') === '1';
  const data = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, async (tx) => ({
    runs: await listJobRuns(tx, { failedOnly, limit: 100 }),
    stats: await jobStats(tx),
  }));
  return json({
    failedOnly,
    stats: data.stats,
    runs: data.runs.map((r) => ({
      id: r.id,
      task: r.task,
      status: r.status,
      attempt: r.attempt,
      maxAttempts: r.maxAttempts,
      summary: r.summary as Record<string, unknown>,
      error: r.error,
      finishedAt: r.finishedAt,
      durationMs: r.durationMs,
    })),
  });
}

const TASK_LABELS: Record<string, string> = {
  process_leads: 'Enrich, score, assign',
  enrich_leads_network: 'Network enrichment',
  rescore_tenant: 'Re-score all leads',
  train_predictive_model: 'Train predictive model',
  reassign_overdue_leads: 'SLA reassignment',
};

function summaryText(summary: Record<string, unknown>): string {
  return Object.entries(summary)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .map(([k, v]) => `${k} ${v}`)
    .join(' · ');
}

export default function Jobs() {
  const dates = useDates();
  const { failedOnly, stats, runs } = useLoaderData<typeof loader>();
  return (
    <>
      <p className="crumbs">
        <Link to="/settings">Settings</Link> / Background jobs
      </p>
      <h1>Background jobs</h1>
      <p className="help">Enrichment, scoring, assignment and training runs of this workspace. Failed runs are retried with backoff.</p>
      <h2>Last 24 hours</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Job</th>
              <th>Succeeded</th>
              <th>Failed</th>
              <th>Leads</th>
              <th>Average time</th>
            </tr>
          </thead>
          <tbody>
            {stats.length === 0 ? (
              <tr>
                <td colSpan={5}>No jobs ran in the last 24 hours.</td>
              </tr>
            ) : null}
            {stats.map((s) => (
              <tr key={s.task}>
                <td>{TASK_LABELS[s.task] ?? s.task}</td>
                <td className="num">{s.succeeded}</td>
                <td className="num">{s.failed}</td>
                <td className="num">{s.leads}</td>
                <td className="num">{s.avgMs} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{failedOnly ? 'Recent failures' : 'Recent runs'}</h2>
      <p>{failedOnly ? <Link to="/settings/jobs">Show all runs</Link> : <Link to="/settings/jobs?failed=1">Show failures only</Link>}</p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Finished</th>
              <th>Job</th>
              <th>Status</th>
              <th>Attempt</th>
              <th>Time</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {runs.length === 0 ? (
              <tr>
                <td colSpan={6}>{failedOnly ? 'No failures.' : 'No runs yet.'}</td>
              </tr>
            ) : null}
            {runs.map((r) => (
              <tr key={r.id}>
                <td className="nowrap">{dates.dateTime(r.finishedAt)}</td>
                <td>{TASK_LABELS[r.task] ?? r.task}</td>
                <td>
                  <span className="pill">{r.status}</span>
                </td>
                <td className="num">
                  {r.attempt}/{r.maxAttempts}
                </td>
                <td className="num">{r.durationMs} ms</td>
                <td>{r.error ?? summaryText(r.summary)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
