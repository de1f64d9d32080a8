// A published version, read-only: its canvas, or a diff against the draft or the previous
// version (nodes coloured by change on a read-only canvas, a list of changes, and a JSON line diff).

import { useFetcher } from '@remix-run/react';
import { Background, Controls, ReactFlow, ReactFlowProvider, type Edge } from '@xyflow/react';
import { normalizeGraph, type FlowGraph } from '@leadflow/workflow-compiler';
import { useEffect, useMemo, useRef, useState } from 'react';
import { fromFlowGraph } from './graph';
import {
  describeDiff,
  diffGraphs,
  diffHunks,
  isEmptyDiff,
  lineDiff,
  mergedGraph,
  stableStringify,
  type NodeDiffStatus,
} from './graph-diff';
import { FlowUiContext, nodeTypes, type FlowUi, type StepNode } from './step-node';
import type { VersionLoaderData } from './types';

export type VersionCompare = 'none' | 'draft' | 'previous';

const EMPTY: FlowGraph = { nodes: [], edges: [] };

/** A canvas nobody can edit; `diff` colours nodes, `edgeStatus` colours connections. */
export function ReadOnlyCanvas({
  graph,
  diff,
  edgeStatus,
}: {
  graph: FlowGraph;
  diff?: Record<string, NodeDiffStatus>;
  edgeStatus?: Record<string, string>;
}) {
  const { nodes, edges } = useMemo(() => {
    const g = fromFlowGraph(graph);
    return {
      nodes: g.nodes.map((n) => ({ ...n, draggable: false, connectable: false, selectable: false })) as StepNode[],
      edges: g.edges.map((e) => {
        const status = edgeStatus?.[e.id];
        return status && status !== 'unchanged' ? { ...e, className: `diff-${status}`, animated: status === 'added' } : e;
      }) as Edge[],
    };
  }, [graph, edgeStatus]);
  const ui: FlowUi = useMemo(() => ({ errors: {}, diff }), [diff]);
  return (
    <ReactFlowProvider>
      <FlowUiContext.Provider value={ui}>
        <ReactFlow<StepNode, Edge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          deleteKeyCode={null}
          fitView
          fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
          minZoom={0.2}
        >
          <Background gap={20} size={1} />
          <Controls showInteractive={false} />
        </ReactFlow>
      </FlowUiContext.Provider>
    </ReactFlowProvider>
  );
}

function comparable(graph: FlowGraph): FlowGraph {
  const { nodes, edges } = normalizeGraph(graph);
  return { nodes, edges };
}

export function JsonDiff({ before, after }: { before: string; after: string }) {
  const hunks = useMemo(() => diffHunks(lineDiff(before, after)), [before, after]);
  const changed = hunks.some((h) => 'op' in h && h.op !== 'same');
  if (!changed) return <p className="help">The JSON is identical.</p>;
  return (
    <pre className="json-diff" aria-label="JSON differences">
      {hunks.map((h, i) =>
        'skipped' in h ? (
          <div key={i} className="skip">
            ⋯ {h.skipped} unchanged line{h.skipped === 1 ? '' : 's'}
          </div>
        ) : (
          <div key={i} className={`line ${h.op}`}>
            <span className="gutter">{h.op === 'add' ? '+' : h.op === 'del' ? '−' : ' '}</span>
            {h.text}
          </div>
        ),
      )}
    </pre>
  );
}

export function VersionViewer(props: {
  workflowId: string;
  versionId: string;
  compare: VersionCompare;
  draft: FlowGraph;
  canRollback: boolean;
  rollingBack: boolean;
  onRollback: (versionId: string) => void;
  onCompare: (compare: VersionCompare) => void;
  onClose: () => void;
}) {
  const { workflowId, versionId, compare, draft, canRollback, rollingBack, onRollback, onCompare, onClose } = props;
  const fetcher = useFetcher<VersionLoaderData>();
  const loadRef = useRef(fetcher.load);
  loadRef.current = fetcher.load;
  useEffect(() => {
    loadRef.current(`/workflows/${workflowId}/versions/${versionId}`);
  }, [workflowId, versionId]);
  const [view, setView] = useState<'canvas' | 'changes' | 'json'>('canvas');
  const [jsonOf, setJsonOf] = useState<'graph' | 'compiled'>('graph');
  // The draft keeps changing while this is open; compare against the draft as it was on opening.
  const [draftAtOpen] = useState(() => comparable(draft));

  const data = fetcher.data && fetcher.data.version?.id === versionId ? fetcher.data : null;
  const version = data?.version ?? null;
  const previous = data?.previous ?? null;

  const sides = useMemo(() => {
    if (!version) return null;
    const current = comparable(version.graph);
    if (compare === 'draft')
      return { before: current, after: draftAtOpen, beforeLabel: `version ${version.version}`, afterLabel: 'the draft' };
    if (compare === 'previous')
      return {
        before: previous ? comparable(previous.graph) : EMPTY,
        after: current,
        beforeLabel: previous ? `version ${previous.version}` : 'nothing',
        afterLabel: `version ${version.version}`,
      };
    return null;
  }, [version, previous, compare, draftAtOpen]);

  const diff = useMemo(() => (sides ? diffGraphs(sides.before, sides.after) : null), [sides]);
  const merged = useMemo(() => (sides && diff ? mergedGraph(sides.before, sides.after, diff) : null), [sides, diff]);
  const changes = useMemo(() => (sides && diff ? describeDiff(sides.before, sides.after, diff) : []), [sides, diff]);

  const title = !version
    ? 'Loading version…'
    : sides
      ? `Changes from ${sides.beforeLabel} to ${sides.afterLabel}`
      : `Version ${version.version}`;
  const jsonBefore = sides
    ? jsonOf === 'compiled' && compare === 'previous'
      ? stableStringify(previous?.compiled ?? null, 2)
      : stableStringify(sides.before, 2)
    : '';
  const jsonAfter = sides
    ? jsonOf === 'compiled' && compare === 'previous'
      ? stableStringify(version?.compiled ?? null, 2)
      : stableStringify(sides.after, 2)
    : '';

  return (
    <section className="version-viewer" aria-label={title}>
      <header className="version-viewer-bar">
        <h2>{title}</h2>
        <div className="segmented" role="group" aria-label="Compare">
          <button
            type="button"
            className={compare === 'none' ? 'on' : ''}
            aria-pressed={compare === 'none'}
            onClick={() => onCompare('none')}
          >
            View
          </button>
          <button
            type="button"
            className={compare === 'draft' ? 'on' : ''}
            aria-pressed={compare === 'draft'}
            onClick={() => onCompare('draft')}
          >
            Diff with draft
          </button>
          <button
            type="button"
            className={compare === 'previous' ? 'on' : ''}
            aria-pressed={compare === 'previous'}
            onClick={() => onCompare('previous')}
          >
            Diff with previous
          </button>
        </div>
        <div className="segmented" role="group" aria-label="Show">
          <button
            type="button"
            className={view === 'canvas' ? 'on' : ''}
            aria-pressed={view === 'canvas'}
            onClick={() => setView('canvas')}
          >
            Canvas
          </button>
          {sides ? (
            <button
              type="button"
              className={view === 'changes' ? 'on' : ''}
              aria-pressed={view === 'changes'}
              onClick={() => setView('changes')}
            >
              Changes ({changes.length})
            </button>
          ) : null}
          <button
            type="button"
            className={view === 'json' ? 'on' : ''}
            aria-pressed={view === 'json'}
            onClick={() => setView('json')}
          >
            JSON
          </button>
        </div>
        <span className="spacer" />
        {version && canRollback ? (
          <button
            type="button"
            className="secondary"
            disabled={rollingBack}
            onClick={() => {
              if (
                window.confirm(
                  `Roll back to version ${version.version}? Its graph replaces the draft and is published as a new version.`,
                )
              )
                onRollback(version.id);
            }}
          >
            {rollingBack ? 'Rolling back…' : 'Roll back to this version'}
          </button>
        ) : null}
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </header>
      {version?.note ? <p className="version-note">{version.note}</p> : null}
      {sides && diff ? (
        <p className="diff-legend">
          <span className="legend added">added {diff.added.length}</span>
          <span className="legend changed">changed {diff.changed.length}</span>
          <span className="legend removed">removed {diff.removed.length}</span>
          <span className="legend">
            connections +{diff.edgesAdded.length} −{diff.edgesRemoved.length}
          </span>
          {isEmptyDiff(diff) ? <strong>No differences.</strong> : null}
        </p>
      ) : null}
      <div className="version-viewer-body">
        {!version ? (
          <p className="help panel-hint">{fetcher.state === 'idle' ? 'This version could not be loaded.' : 'Loading…'}</p>
        ) : view === 'canvas' ? (
          <div className="version-canvas">
            {merged && diff ? (
              <ReadOnlyCanvas graph={merged.graph} diff={diff.status} edgeStatus={merged.edgeStatus} />
            ) : (
              <ReadOnlyCanvas graph={version.graph} />
            )}
          </div>
        ) : view === 'changes' ? (
          <ul className="change-list" aria-label="Changes">
            {changes.length === 0 ? <li className="help">No differences.</li> : null}
            {changes.map((c, i) => (
              <li key={i} className={`change change-${c.kind}`}>
                {c.text}
              </li>
            ))}
          </ul>
        ) : sides ? (
          <div className="json-view">
            {compare === 'previous' ? (
              <div className="segmented small" role="group" aria-label="JSON of">
                <button
                  type="button"
                  className={jsonOf === 'graph' ? 'on' : ''}
                  aria-pressed={jsonOf === 'graph'}
                  onClick={() => setJsonOf('graph')}
                >
                  Canvas graph
                </button>
                <button
                  type="button"
                  className={jsonOf === 'compiled' ? 'on' : ''}
                  aria-pressed={jsonOf === 'compiled'}
                  onClick={() => setJsonOf('compiled')}
                >
                  Compiled n8n JSON
                </button>
              </div>
            ) : null}
            <JsonDiff before={jsonBefore} after={jsonAfter} />
          </div>
        ) : (
          <div className="json-view">
            <div className="segmented small" role="group" aria-label="JSON of">
              <button
                type="button"
                className={jsonOf === 'graph' ? 'on' : ''}
                aria-pressed={jsonOf === 'graph'}
                onClick={() => setJsonOf('graph')}
              >
                Canvas graph
              </button>
              <button
                type="button"
                className={jsonOf === 'compiled' ? 'on' : ''}
                aria-pressed={jsonOf === 'compiled'}
                onClick={() => setJsonOf('compiled')}
              >
                Compiled n8n JSON
              </button>
            </div>
            <pre className="json-plain">
              {stableStringify(jsonOf === 'graph' ? comparable(version.graph) : version.compiled, 2)}
            </pre>
          </div>
        )}
      </div>
    </section>
  );
}
