// The builder's side panels: problems, versions, test run, execution history, and the
// keyboard-shortcut help.

import { useFetcher } from '@remix-run/react';
import { useDates } from '~/lib/use-dates';
import { displayName, type CompileError, type FlowGraph } from '@leadflow/workflow-compiler';
import { useEffect, useRef, useState } from 'react';
import type {
  BuilderActionData,
  DeployProblem,
  ExecutionsLoaderData,
  LeadSearchData,
  TestRunResult,
  VersionSummary,
} from './types';
import type { VersionCompare } from './version-view';


/** "Tell sales: no Slack connection…" under a "Tell sales" link reads better without the repeat. */
function withoutName(message: string, name: string): string {
  if (message.startsWith(`${name}: `)) return `: ${message.slice(name.length + 2)}`;
  if (message.startsWith(`${name} `)) return message.slice(name.length);
  return ` — ${message}`;
}

export function ProblemsPanel(props: {
  graph: FlowGraph;
  problems: CompileError[];
  publishProblems: DeployProblem[];
  onFocusNode: (nodeId: string) => void;
}) {
  const { graph, problems, publishProblems, onFocusNode } = props;
  const name = (id: string) => {
    const node = graph.nodes.find((n) => n.id === id);
    return node ? displayName(node) : id;
  };
  const all = [
    ...problems.map((p) => ({ ...p, source: 'check' as const })),
    ...publishProblems.map((p) => ({ ...p, source: 'publish' as const })),
  ];
  const graphLevel = all.filter((p) => !p.nodeId || !graph.nodes.some((n) => n.id === p.nodeId));
  const onNodes = all.filter((p) => p.nodeId && graph.nodes.some((n) => n.id === p.nodeId));
  if (all.length === 0) return <p className="inspector-ok">No problems: the workflow is ready to publish.</p>;
  return (
    <div className="problems">
      {graphLevel.length > 0 ? (
        <>
          <h3>Workflow</h3>
          <ul className="problem-list" aria-label="Problems with the workflow">
            {graphLevel.map((p, i) => (
              <li key={`g${i}`} className={`problem from-${p.source}`}>
                {p.message}
                {p.source === 'publish' ? <span className="pill">publish</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {onNodes.length > 0 ? (
        <>
          <h3>Steps</h3>
          <ul className="problem-list" aria-label="Problems with steps">
            {onNodes.map((p, i) => (
              <li key={`n${i}`} className={`problem from-${p.source}`}>
                <button type="button" className="link" onClick={() => onFocusNode(p.nodeId!)}>
                  {name(p.nodeId!)}
                </button>
                {withoutName(p.message, name(p.nodeId!))}
                {p.source === 'publish' ? <span className="pill">publish</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

export function VersionsPanel(props: {
  versions: VersionSummary[];
  publishedVersionId: string | null;
  canRollback: boolean;
  busy: boolean;
  onView: (versionId: string, compare: VersionCompare) => void;
  onRollback: (versionId: string) => void;
}) {
  const dates = useDates();
  const { versions, publishedVersionId, canRollback, busy, onView, onRollback } = props;
  if (versions.length === 0)
    return (
      <p className="help panel-hint">
        No versions yet. Publishing creates version 1: an immutable copy of the graph and its compiled n8n JSON.
      </p>
    );
  return (
    <ol className="version-list" aria-label="Published versions">
      {versions.map((v, i) => (
        <li key={v.id} className="version">
          <div className="version-head">
            <strong>Version {v.version}</strong>
            {v.id === publishedVersionId ? <span className="pill live">live</span> : null}
            <span className="muted">{dates.dateTime(v.createdAt)}</span>
          </div>
          {v.note ? <p className="version-note">{v.note}</p> : null}
          <div className="version-actions">
            <button type="button" className="secondary small" onClick={() => onView(v.id, 'none')}>
              View
            </button>
            <button type="button" className="secondary small" onClick={() => onView(v.id, 'draft')}>
              Diff with draft
            </button>
            {i < versions.length - 1 ? (
              <button type="button" className="secondary small" onClick={() => onView(v.id, 'previous')}>
                Diff with v{versions[i + 1].version}
              </button>
            ) : null}
            {canRollback ? (
              <button
                type="button"
                className="secondary small"
                disabled={busy}
                onClick={() => {
                  if (
                    window.confirm(
                      `Roll back to version ${v.version}? Its graph replaces the draft and is published as a new version.`,
                    )
                  )
                    onRollback(v.id);
                }}
              >
                Roll back to this version
              </button>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  );
}

export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  return (
    <details className="json-block">
      <summary>{label}</summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}

export function TestRunPanel(props: {
  workflowId: string;
  /** The tab is showing: search leads only then. */
  active: boolean;
  csrf: string;
  /** Managers and above may run tests. */
  canRun: boolean;
  /** Test runs use the published version. */
  published: boolean;
  onResult: (result: TestRunResult | null) => void;
  onFocusNode: (nodeId: string) => void;
}) {
  const { workflowId, active, csrf, canRun, published, onResult, onFocusNode } = props;
  const search = useFetcher<LeadSearchData>();
  const run = useFetcher<BuilderActionData>({ key: `workflow-test-${workflowId}` });
  const [query, setQuery] = useState('');
  const [leadId, setLeadId] = useState<string | null>(null);
  const loadRef = useRef(search.load);
  loadRef.current = search.load;

  useEffect(() => {
    if (!active) return;
    const timer = window.setTimeout(
      () => loadRef.current(`/workflows/${workflowId}/leads?${new URLSearchParams({ q: query.trim() })}`),
      250,
    );
    return () => window.clearTimeout(timer);
  }, [active, query, workflowId]);

  const result = run.data?.intent === 'testRun' ? run.data : null;
  useEffect(() => {
    if (run.state === 'idle') onResult(result?.ok && result.run ? result.run : null);
  }, [run.state, result]);

  const leads = search.data?.leads ?? [];
  const running = run.state !== 'idle';
  return (
    <div className="test-run">
      <p className="help">
        Sends one lead through the <strong>published</strong> version now, for real (its lead actions apply), then shows what each
        step received and produced.
      </p>
      <div className="field">
        <label htmlFor="test-lead-search">Lead</label>
        <input
          id="test-lead-search"
          type="search"
          placeholder="Search by email or name"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      <ul className="lead-choices" aria-label="Leads to test with">
        {leads.map((l) => (
          <li key={l.id}>
            <label>
              <input type="radio" name="test-lead" value={l.id} checked={leadId === l.id} onChange={() => setLeadId(l.id)} />
              <span>
                <strong>{l.name || l.email || l.id}</strong>
                {l.email && l.name ? <span className="muted"> · {l.email}</span> : null}
                {l.company ? <span className="muted"> · {l.company}</span> : null}
              </span>
            </label>
          </li>
        ))}
        {search.state === 'idle' && search.data && leads.length === 0 ? <li className="help">No lead matches.</li> : null}
      </ul>
      <button
        type="button"
        disabled={!canRun || !published || !leadId || running}
        onClick={() =>
          run.submit({ intent: 'testRun', csrf, leadId: leadId! }, { method: 'post', action: `/workflows/${workflowId}` })
        }
      >
        {running ? 'Running…' : 'Run test'}
      </button>
      {!canRun ? (
        <p className="help">Your role cannot run tests.</p>
      ) : !published ? (
        <p className="help">Publish the workflow first: test runs use the published version.</p>
      ) : null}
      {result && !result.ok ? (
        <div className="form-error" role="alert">
          {result.message ?? 'The test run failed.'}
          {result.errors?.length ? (
            <ul>
              {result.errors.map((e, i) => (
                <li key={i}>{e.message}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {result?.ok && result.run ? (
        <div className="run-result">
          <p>
            Execution <code>{result.run.executionId}</code>:{' '}
            <span className={`run-status run-${result.run.status}`}>{result.run.status}</span>
          </p>
          <ol className="run-nodes">
            {result.run.nodes.map((n, i) => (
              <li key={`${n.name}-${i}`} className={n.error ? 'run-node failed' : 'run-node'}>
                <div className="run-node-head">
                  {n.nodeId ? (
                    <button type="button" className="link" onClick={() => onFocusNode(n.nodeId!)}>
                      {n.name}
                    </button>
                  ) : (
                    <span className="muted">{n.name}</span>
                  )}
                  <span className="muted">
                    {' '}
                    {n.input.length} in · {n.output.reduce((sum, o) => sum + o.length, 0)} out
                  </span>
                </div>
                {n.error ? <p className="field-error">{n.error}</p> : null}
                <JsonBlock label="Input" value={n.input} />
                <JsonBlock label="Output" value={n.output.length === 1 ? n.output[0] : n.output} />
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </div>
  );
}

function duration(start: string, stop: string | null): string {
  if (!stop) return '—';
  const ms = Date.parse(stop) - Date.parse(start);
  if (!Number.isFinite(ms) || ms < 0) return '—';
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

export function ExecutionsPanel({ workflowId, active }: { workflowId: string; active: boolean }) {
  const dates = useDates();
  const executions = useFetcher<ExecutionsLoaderData>();
  const loaded = useRef(false);
  const loadRef = useRef(executions.load);
  loadRef.current = executions.load;
  useEffect(() => {
    if (!active || loaded.current) return;
    loaded.current = true;
    loadRef.current(`/workflows/${workflowId}/executions`);
  }, [active, workflowId]);
  const data = executions.data;
  return (
    <div className="executions">
      <div className="toolbar">
        <span className="help">Recent runs of the published workflow.</span>
        <span className="spacer" />
        <button
          type="button"
          className="secondary small"
          disabled={executions.state !== 'idle'}
          onClick={() => executions.load(`/workflows/${workflowId}/executions`)}
        >
          {executions.state !== 'idle' ? 'Loading…' : 'Refresh'}
        </button>
      </div>
      {data && !data.ok ? <p className="form-error">{data.message}</p> : null}
      {data?.ok && data.executions.length === 0 ? <p className="help panel-hint">No runs yet.</p> : null}
      {data?.ok && data.executions.length > 0 ? (
        <div className="table-wrap">
          <table className="executions-table">
            <thead>
              <tr>
                <th>Status</th>
                <th>Started</th>
                <th>Duration</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {data.executions.map((e) => (
                <tr key={e.id}>
                  <td>
                    <span className={`run-status run-${e.status}`}>{e.status}</span>
                    {e.mode ? <div className="muted small">{e.mode}</div> : null}
                  </td>
                  <td className="nowrap">{dates.dateTime(e.startedAt)}</td>
                  <td className="nowrap">{duration(e.startedAt, e.stoppedAt)}</td>
                  <td className="error-cell">{e.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

export const SHORTCUTS: ReadonlyArray<[string, string]> = [
  ['Delete / Backspace', 'Delete the selected steps or connections'],
  ['Ctrl/⌘ + Z', 'Undo'],
  ['Ctrl/⌘ + Shift + Z, Ctrl + Y', 'Redo'],
  ['Ctrl/⌘ + S', 'Save now'],
  ['F', 'Zoom to fit'],
  ['Ctrl/⌘ + click', 'Select several steps'],
  ['Shift + drag', 'Select an area'],
  ['?', 'Show or hide this help'],
  ['Esc', 'Close this help or the version view'],
];

export function ShortcutsHelp({ id, onClose }: { id: string; onClose: () => void }) {
  return (
    <div className="popover" id={id} role="dialog" aria-label="Keyboard shortcuts">
      <div className="popover-head">
        <strong>Keyboard shortcuts</strong>
        <button type="button" className="icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <dl className="shortcuts">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
