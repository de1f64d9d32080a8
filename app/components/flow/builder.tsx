// The workflow builder: canvas, palette, inspector, validation, undo/redo, shortcuts, autosave,
// and the publishing panels. Rendered client-only by app/routes/_app.workflows.$workflowId.tsx.
//
// State: React Flow's nodes/edges (controlled). Node data is the plain JSON that is saved and
// compiled; everything derived (errors, diff, test-run status) reaches nodes via FlowUiContext.

import { useBlocker, useFetcher, useRouteLoaderData } from '@remix-run/react';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  addEdge,
  useEdgesState,
  useNodesState,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
} from '@xyflow/react';
import { nodeKinds, validate, type FlowGraph, type NodeKind, type NodeKindDef } from '@leadflow/workflow-compiler';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { categoryColor, codeNodes, defaultData, isCodeKind, kindDef, type PaletteItem } from './catalogue';
import { fromFlowGraph, newEdgeId, newNodeId, pruneEdgesForHandles, toFlowEdge, toFlowGraph, toFlowNode } from './graph';
import { canRedo, canUndo, createHistory, record, redo, undo, type History } from './history';
import { Inspector } from './inspector';
import { DRAG_MIME, Palette } from './palette';
import { ExecutionsPanel, ProblemsPanel, ShortcutsHelp, TestRunPanel, VersionsPanel } from './panels';
import { FlowUiContext, nodeTypes, type FlowUi, type StepNode } from './step-node';
import type { BuilderActionData, BuilderWorkflow, DeployProblem, TestRunResult, VersionSummary } from './types';
import { VersionViewer, type VersionCompare } from './version-view';

export interface BuilderProps {
  workflow: BuilderWorkflow;
  graph: FlowGraph;
  palette: PaletteItem[];
  credentialKinds: string[];
  /** Managers and above edit, publish and test. */
  canEdit: boolean;
  /** Admins and owners: code steps allowed. */
  isAdmin: boolean;
  versions: VersionSummary[];
}

type Snapshot = Pick<FlowGraph, 'nodes' | 'edges'>;
type Tab = 'step' | 'problems' | 'versions' | 'test' | 'runs';

const NODE_WIDTH = 200;

export function Builder(props: BuilderProps) {
  return (
    <ReactFlowProvider>
      <BuilderCanvas {...props} />
    </ReactFlowProvider>
  );
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

function BuilderCanvas({ workflow, graph: initialGraph, palette, credentialKinds, canEdit, isAdmin, versions }: BuilderProps) {
  const csrf = useRouteLoaderData<{ csrf: string }>('root')?.csrf ?? '';
  const initial = useMemo(() => fromFlowGraph(initialGraph), [initialGraph]);
  const [nodes, setNodes, applyNodeChanges] = useNodesState<StepNode>(initial.nodes);
  const [edges, setEdges, applyEdgeChanges] = useEdgesState<Edge>(initial.edges);
  const rf = useReactFlow<StepNode, Edge>();
  const wrapper = useRef<HTMLDivElement>(null);

  const nodesRef = useRef(nodes);
  const edgesRef = useRef(edges);
  nodesRef.current = nodes;
  edgesRef.current = edges;

  // ------------------------------------------------------------------ undo / redo
  const historyRef = useRef<History<Snapshot>>(createHistory<Snapshot>(100));
  const [, setHistoryTick] = useState(0);
  const snapshot = useCallback(
    (): Snapshot => ({ nodes: nodesRef.current.map(toFlowNode), edges: edgesRef.current.map(toFlowEdge) }),
    [],
  );
  const remember = useCallback(
    (key?: string, windowMs?: number) => {
      historyRef.current = record(historyRef.current, snapshot(), { key, windowMs });
      setHistoryTick((t) => t + 1);
    },
    [snapshot],
  );
  const restore = useCallback(
    (state: Snapshot) => {
      const selected = new Set(nodesRef.current.filter((n) => n.selected).map((n) => n.id));
      const next = fromFlowGraph({ nodes: state.nodes, edges: state.edges });
      setNodes(next.nodes.map((n) => ({ ...n, selected: selected.has(n.id) })));
      setEdges(next.edges);
    },
    [setNodes, setEdges],
  );
  const doUndo = useCallback(() => {
    const step = undo(historyRef.current, snapshot());
    if (!step) return;
    historyRef.current = step.history;
    restore(step.state);
    setHistoryTick((t) => t + 1);
  }, [restore, snapshot]);
  const doRedo = useCallback(() => {
    const step = redo(historyRef.current, snapshot());
    if (!step) return;
    historyRef.current = step.history;
    restore(step.state);
    setHistoryTick((t) => t + 1);
  }, [restore, snapshot]);

  // ------------------------------------------------------------------ canvas changes
  const onNodesChange = useCallback(
    (changes: NodeChange<StepNode>[]) => {
      const allowed = canEdit ? changes : changes.filter((c) => c.type === 'select' || c.type === 'dimensions');
      // A delete removes the node and then its edges: one undo step.
      if (allowed.some((c) => c.type === 'remove')) remember('delete', 250);
      applyNodeChanges(allowed);
    },
    [applyNodeChanges, canEdit, remember],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange<Edge>[]) => {
      const allowed = canEdit ? changes : changes.filter((c) => c.type === 'select');
      if (allowed.some((c) => c.type === 'remove')) remember('delete', 250);
      applyEdgeChanges(allowed);
    },
    [applyEdgeChanges, canEdit, remember],
  );
  const dragStart = useRef<Snapshot | null>(null);
  const onNodeDragStart = useCallback(() => {
    dragStart.current = snapshot();
  }, [snapshot]);
  const onNodeDragStop = useCallback(() => {
    const before = dragStart.current;
    dragStart.current = null;
    if (!before) return;
    const moved = nodesRef.current.some((n) => {
      const old = before.nodes.find((o) => o.id === n.id);
      return old && (Math.abs(old.position.x - n.position.x) > 0.5 || Math.abs(old.position.y - n.position.y) > 0.5);
    });
    if (moved) {
      historyRef.current = record(historyRef.current, before);
      setHistoryTick((t) => t + 1);
    }
  }, []);
  const onConnect = useCallback(
    (connection: Connection) => {
      if (!canEdit) return;
      remember();
      setEdges((eds) => addEdge({ ...connection, id: newEdgeId() }, eds));
    },
    [canEdit, remember, setEdges],
  );
  const isValidConnection: IsValidConnection<Edge> = useCallback(
    (c) =>
      c.source !== c.target &&
      !edgesRef.current.some(
        (e) =>
          e.source === c.source &&
          e.target === c.target &&
          (e.sourceHandle ?? null) === (c.sourceHandle ?? null) &&
          (e.targetHandle ?? null) === (c.targetHandle ?? null),
      ),
    [],
  );

  const addStep = useCallback(
    (kind: NodeKind, position?: { x: number; y: number }) => {
      if (!canEdit) return;
      if (isCodeKind(kind) && !isAdmin) return;
      let at = position;
      if (!at) {
        // Click-to-add: the middle of the visible canvas, nudged so repeated clicks do not stack.
        const rect = wrapper.current?.getBoundingClientRect();
        const centre = rect
          ? rf.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 })
          : { x: 0, y: 0 };
        const nudge = (nodesRef.current.length % 6) * 24;
        at = { x: centre.x - NODE_WIDTH / 2 + nudge, y: centre.y - 30 + nudge };
      }
      remember();
      const id = newNodeId(kind, new Set(nodesRef.current.map((n) => n.id)));
      const node = { id, type: kind, position: at, data: defaultData(kind), selected: true } as StepNode;
      setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), node]);
      setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
      setTab('step');
      setPanelOpen(true);
      setPaletteOpen(false);
    },
    [canEdit, isAdmin, remember, rf, setEdges, setNodes],
  );
  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(DRAG_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
  }, []);
  const onDrop = useCallback(
    (event: DragEvent) => {
      const kind = event.dataTransfer.getData(DRAG_MIME);
      if (!kind || !(kind in nodeKinds)) return;
      event.preventDefault();
      const p = rf.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addStep(kind as NodeKind, { x: p.x - NODE_WIDTH / 2, y: p.y - 24 });
    },
    [addStep, rf],
  );

  // ------------------------------------------------------------------ inspector edits
  const setField = useCallback(
    (nodeId: string, key: string, value: unknown) => {
      const node = rf.getNode(nodeId);
      if (!node || !canEdit) return;
      remember(`data:${nodeId}:${key}`);
      const data = { ...node.data };
      if (value === undefined) delete data[key];
      else data[key] = value;
      rf.updateNodeData(nodeId, data, { replace: true });
      setEdges((es) => pruneEdgesForHandles(es, { id: nodeId, type: node.type, data }));
    },
    [canEdit, remember, rf, setEdges],
  );
  const removeListItem = useCallback(
    (nodeId: string, key: string, index: number) => {
      const node = rf.getNode(nodeId);
      if (!node || !canEdit) return;
      remember();
      const list = Array.isArray(node.data[key]) ? [...(node.data[key] as unknown[])] : [];
      list.splice(index, 1);
      const data = { ...node.data, [key]: list };
      const def: NodeKindDef | null = kindDef(node.type);
      const dyn = def?.dynamicOutputs;
      rf.updateNodeData(nodeId, data, { replace: true });
      setEdges((es) => {
        let next = es;
        if (dyn && dyn.listKey === key) {
          // Outputs are numbered by position: drop the removed value's connections, renumber the rest.
          next = es.flatMap((e) => {
            if (e.source !== nodeId || !e.sourceHandle?.startsWith(dyn.prefix)) return [e];
            const i = Number(e.sourceHandle.slice(dyn.prefix.length));
            if (i === index) return [];
            return i > index ? [{ ...e, sourceHandle: `${dyn.prefix}${i - 1}` }] : [e];
          });
        }
        return pruneEdgesForHandles(next, { id: nodeId, type: node.type, data });
      });
    },
    [canEdit, remember, rf, setEdges],
  );
  const deleteNode = useCallback((nodeId: string) => void rf.deleteElements({ nodes: [{ id: nodeId }] }), [rf]);

  // ------------------------------------------------------------------ validation
  const graph = useMemo(() => toFlowGraph(nodes, edges), [nodes, edges]);
  const validationKey = useMemo(
    () => JSON.stringify({ n: graph.nodes.map((n) => [n.id, n.type, n.data]), e: graph.edges }),
    [graph],
  );
  const credentials = useMemo(() => Object.fromEntries(credentialKinds.map((k) => [k, { id: k, name: k }])), [credentialKinds]);
  const problems = useMemo(
    () => validate(graph, { credentials, allowCodeNodes: isAdmin }),
    // Re-validate only when something the compiler reads changed (not on drags or selection).
    [validationKey, credentials, isAdmin],
  );
  const [serverErrors, setServerErrors] = useState<{ key: string; errors: DeployProblem[] } | null>(null);
  const publishProblems = serverErrors && serverErrors.key === validationKey ? serverErrors.errors : [];
  const errorsByNode = useMemo(() => {
    const map: Record<string, string[]> = {};
    for (const p of [...problems, ...publishProblems]) {
      if (!p.nodeId) continue;
      const list = (map[p.nodeId] ??= []);
      if (!list.includes(p.message)) list.push(p.message);
    }
    return map;
  }, [problems, publishProblems]);
  const [testRun, setTestRun] = useState<TestRunResult | null>(null);
  const runStatus = useMemo(() => {
    if (!testRun) return undefined;
    const map: Record<string, 'ok' | 'error'> = {};
    for (const n of testRun.nodes) {
      if (!n.nodeId) continue;
      map[n.nodeId] = n.error || map[n.nodeId] === 'error' ? 'error' : 'ok';
    }
    return map;
  }, [testRun]);
  const ui: FlowUi = useMemo(() => ({ errors: errorsByNode, run: runStatus }), [errorsByNode, runStatus]);

  // ------------------------------------------------------------------ autosave
  const [name, setName] = useState(workflow.name);
  const contentKey = useMemo(() => JSON.stringify({ graph, name: name.trim() }), [graph, name]);
  const [savedKey, setSavedKey] = useState(() =>
    JSON.stringify({ graph: toFlowGraph(initial.nodes, initial.edges), name: workflow.name.trim() }),
  );
  const [saveError, setSaveError] = useState<{ key: string; message: string } | null>(null);
  const saveFetcher = useFetcher<BuilderActionData>({ key: `workflow-save-${workflow.id}` });
  const inFlight = useRef<string | null>(null);
  // The fetcher object changes identity as it loads; the timer below must not restart with it.
  const submitSave = useRef(saveFetcher.submit);
  submitSave.current = saveFetcher.submit;
  const dirty = contentKey !== savedKey;
  const latest = useRef({ graph, name, contentKey, dirty });
  latest.current = { graph, name, contentKey, dirty };

  const saveNow = useCallback(() => {
    if (!canEdit || inFlight.current !== null) return;
    const { graph: g, name: n, contentKey: key } = latest.current;
    if (n.trim() === '') {
      setSaveError({ key, message: 'Give the workflow a name' });
      return;
    }
    inFlight.current = key;
    submitSave.current(
      { intent: 'save', csrf, name: n.trim(), graph: JSON.stringify({ ...g, viewport: rf.getViewport() }) },
      { method: 'post', action: `/workflows/${workflow.id}` },
    );
  }, [canEdit, csrf, rf, workflow.id]);

  useEffect(() => {
    if (saveFetcher.state !== 'idle' || inFlight.current === null) return;
    const sent = inFlight.current;
    inFlight.current = null;
    if (saveFetcher.data?.ok) {
      setSavedKey(sent);
      setSaveError(null);
    } else {
      setSaveError({ key: sent, message: saveFetcher.data?.message ?? 'The server did not answer' });
    }
  }, [saveFetcher.state, saveFetcher.data]);

  useEffect(() => {
    if (!canEdit || !dirty || saveFetcher.state !== 'idle') return;
    if (saveError?.key === contentKey) return; // the same content failed: wait for a change or Retry
    const timer = window.setTimeout(saveNow, 1000);
    return () => window.clearTimeout(timer);
  }, [canEdit, dirty, contentKey, saveError, saveFetcher.state, saveNow]);

  // Navigating away inside the autosave delay: hold the navigation, save, then go on.
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) => canEdit && latest.current.dirty && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    if (blocker.state !== 'blocked') return;
    if (!dirty) {
      blocker.proceed();
      return;
    }
    if (saveFetcher.state !== 'idle' || inFlight.current !== null) return;
    if (saveError?.key === contentKey) {
      if (window.confirm(`Your last changes are not saved (${saveError.message}). Leave anyway?`)) blocker.proceed();
      else blocker.reset();
      return;
    }
    saveNow();
  }, [blocker, dirty, saveFetcher.state, saveError, contentKey, saveNow]);

  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (latest.current.dirty) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);

  const saveStatus =
    saveFetcher.state !== 'idle'
      ? { kind: 'saving', text: 'Saving…' }
      : saveError && saveError.key === contentKey
        ? { kind: 'error', text: `Not saved: ${saveError.message}` }
        : dirty
          ? { kind: 'dirty', text: 'Unsaved changes' }
          : { kind: 'saved', text: 'Saved' };

  // ------------------------------------------------------------------ publish / rollback / test
  const opsFetcher = useFetcher<BuilderActionData>({ key: `workflow-ops-${workflow.id}` });
  const opsSent = useRef<{ intent: string; key: string; withGraph: boolean } | null>(null);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [tab, setTab] = useState<Tab>('step');
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [panelOpen, setPanelOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [publishOpen, setPublishOpen] = useState(false);
  const [publishNote, setPublishNote] = useState('');
  const [viewing, setViewing] = useState<{ versionId: string; compare: VersionCompare } | null>(null);

  const runOp = useCallback(
    (intent: 'publish' | 'unpublish' | 'archive' | 'rollback' | 'rotateSecret', extra: Record<string, string> = {}) => {
      const { graph: g, name: n, contentKey: key, dirty: unsaved } = latest.current;
      const fields: Record<string, string> = { intent, csrf, ...extra };
      // Publishing what is on screen: an unsaved draft goes along and is saved first.
      const withGraph = intent === 'publish' && unsaved && canEdit;
      if (withGraph) {
        fields.graph = JSON.stringify({ ...g, viewport: rf.getViewport() });
        fields.name = n.trim();
      }
      opsSent.current = { intent, key, withGraph };
      setNotice(null);
      opsFetcher.submit(fields, { method: 'post', action: `/workflows/${workflow.id}` });
    },
    [canEdit, csrf, opsFetcher, rf, workflow.id],
  );

  useEffect(() => {
    if (opsFetcher.state !== 'idle' || !opsSent.current) return;
    const sent = opsSent.current;
    opsSent.current = null;
    const data = opsFetcher.data;
    if (!data) return;
    if (sent.withGraph && data.ok) setSavedKey(sent.key);
    if (data.ok) {
      setServerErrors(null);
      if (data.intent === 'publish') setNotice({ kind: 'ok', text: `Published as version ${data.version}.` });
      if (data.intent === 'unpublish') setNotice({ kind: 'ok', text: 'Unpublished: the workflow no longer runs.' });
      if (data.intent === 'archive') setNotice({ kind: 'ok', text: 'Archived.' });
      if (data.intent === 'rotateSecret') {
        setNotice({ kind: 'ok', text: `New webhook secret in use (version ${data.version}); calls with the old one are refused.` });
      }
      if (data.intent === 'rollback') {
        setNotice({ kind: 'ok', text: `Rolled back: published as version ${data.version}.` });
        if (data.graph) {
          remember();
          restore(data.graph);
          const restored = fromFlowGraph(data.graph);
          setSavedKey(JSON.stringify({ graph: toFlowGraph(restored.nodes, restored.edges), name: latest.current.name.trim() }));
          window.setTimeout(() => void rf.fitView({ padding: 0.12, duration: 200 }), 50);
        }
        setViewing(null);
      }
    } else {
      setNotice({ kind: 'error', text: data.message ?? 'That did not work.' });
      if (data.errors?.length) {
        setServerErrors({ key: sent.key, errors: data.errors });
        setTab('problems');
        setPanelOpen(true);
      }
    }
  }, [opsFetcher.state, opsFetcher.data, remember, restore, rf]);

  const hasCode = codeNodes(graph).length > 0;
  const archived = workflow.status === 'archived';
  const canPublish = canEdit && (!hasCode || isAdmin);
  const busy = opsFetcher.state !== 'idle';

  // ------------------------------------------------------------------ keyboard shortcuts
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.metaKey || event.ctrlKey;
      const key = event.key.toLowerCase();
      if (mod && key === 's') {
        event.preventDefault();
        saveNow();
        return;
      }
      if (event.key === 'Escape') {
        setHelpOpen(false);
        setPublishOpen(false);
        setViewing(null);
        return;
      }
      if (isTyping(event.target)) return; // text fields keep their own undo
      if (mod && key === 'z' && !event.shiftKey) {
        event.preventDefault();
        if (canEdit) doUndo();
      } else if ((mod && key === 'z' && event.shiftKey) || (event.ctrlKey && key === 'y')) {
        event.preventDefault();
        if (canEdit) doRedo();
      } else if (!mod && event.key === '?') {
        setHelpOpen((open) => !open);
      } else if (!mod && !event.altKey && key === 'f') {
        void rf.fitView({ padding: 0.12, duration: 200 });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canEdit, doRedo, doUndo, rf, saveNow]);

  // ------------------------------------------------------------------ render
  const selected = nodes.filter((n) => n.selected);
  const selectedNode = selected.length === 1 ? selected[0] : null;
  const problemCount = problems.length + publishProblems.length;
  const focusNode = useCallback(
    (nodeId: string) => {
      setNodes((ns) => ns.map((n) => ({ ...n, selected: n.id === nodeId })));
      void rf.fitView({ nodes: [{ id: nodeId }], padding: 0.6, duration: 250, maxZoom: 1.2 });
      setTab('step');
    },
    [rf, setNodes],
  );
  const codeLocked = selectedNode ? isCodeKind(selectedNode.type) && !isAdmin : false;

  return (
    <FlowUiContext.Provider value={ui}>
      <div
        className={`builder${canEdit ? '' : ' builder-readonly'}${paletteOpen ? ' palette-open' : ''}${panelOpen ? ' panel-open' : ''}`}
      >
        <header className="builder-bar">
          <div className="builder-title">
            <label className="visually-hidden" htmlFor="workflow-name">
              Workflow name
            </label>
            <input
              id="workflow-name"
              className="name-input"
              value={name}
              maxLength={120}
              readOnly={!canEdit}
              onChange={(e) => setName(e.target.value)}
            />
            <span className={`status-badge status-${workflow.status}`}>{workflow.status}</span>
            <span className={`save-status save-${saveStatus.kind}`} role="status" aria-live="polite" data-testid="save-status">
              {saveStatus.text}
              {saveStatus.kind === 'error' ? (
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    setSaveError(null);
                    saveNow();
                  }}
                >
                  Retry
                </button>
              ) : null}
            </span>
          </div>
          <div className="builder-tools" role="toolbar" aria-label="Canvas">
            <button
              type="button"
              className="secondary narrow-only"
              aria-expanded={paletteOpen}
              onClick={() => setPaletteOpen((o) => !o)}
            >
              Steps
            </button>
            <button
              type="button"
              className="secondary"
              onClick={doUndo}
              disabled={!canEdit || !canUndo(historyRef.current)}
              title="Undo (Ctrl/⌘+Z)"
            >
              Undo
            </button>
            <button
              type="button"
              className="secondary"
              onClick={doRedo}
              disabled={!canEdit || !canRedo(historyRef.current)}
              title="Redo (Ctrl/⌘+Shift+Z)"
            >
              Redo
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => void rf.fitView({ padding: 0.12, duration: 200 })}
              title="Zoom to fit (F)"
            >
              Fit
            </button>
            <div className="popover-anchor">
              <button
                type="button"
                className="secondary"
                aria-expanded={helpOpen}
                aria-controls="shortcuts-help"
                onClick={() => setHelpOpen((o) => !o)}
                title="Keyboard shortcuts (?)"
              >
                Shortcuts
              </button>
              {helpOpen ? <ShortcutsHelp id="shortcuts-help" onClose={() => setHelpOpen(false)} /> : null}
            </div>
            <button
              type="button"
              className="secondary narrow-only"
              aria-expanded={panelOpen}
              onClick={() => setPanelOpen((o) => !o)}
            >
              Details{problemCount ? ` (${problemCount})` : ''}
            </button>
          </div>
          <div className="builder-publish">
            {archived ? (
              <span className="help">Archived: it no longer runs and cannot be published again.</span>
            ) : canEdit ? (
              <>
                <div className="popover-anchor">
                  <button
                    type="button"
                    aria-expanded={publishOpen}
                    aria-controls="publish-popover"
                    onClick={() => setPublishOpen((o) => !o)}
                    disabled={busy || !canPublish}
                    title={
                      canPublish
                        ? 'Compile and deploy the draft as a new version'
                        : 'Only administrators can publish workflows with code steps'
                    }
                  >
                    {busy && opsSent.current?.intent === 'publish' ? 'Publishing…' : 'Publish…'}
                  </button>
                  {publishOpen ? (
                    <form
                      className="popover"
                      id="publish-popover"
                      aria-label="Publish a new version"
                      onSubmit={(e) => {
                        e.preventDefault();
                        setPublishOpen(false);
                        runOp('publish', publishNote.trim() ? { note: publishNote.trim() } : {});
                        setPublishNote('');
                      }}
                    >
                      <div className="popover-head">
                        <strong>Publish version {versions.length ? versions[0].version + 1 : 1}</strong>
                        <button type="button" className="icon" aria-label="Close" onClick={() => setPublishOpen(false)}>
                          ×
                        </button>
                      </div>
                      <div className="field">
                        <label htmlFor="publish-note">What changed? (optional)</label>
                        <input
                          id="publish-note"
                          value={publishNote}
                          maxLength={500}
                          autoFocus
                          onChange={(e) => setPublishNote(e.target.value)}
                        />
                      </div>
                      {problems.length > 0 ? (
                        <p className="help">
                          {problems.length} problem{problems.length === 1 ? '' : 's'} will stop publishing: see the Problems tab.
                        </p>
                      ) : (
                        <p className="help">The draft is compiled, deployed to n8n and kept as an immutable version.</p>
                      )}
                      <button type="submit">Publish now</button>
                    </form>
                  ) : null}
                </div>
                {workflow.status === 'published' ? (
                  <button type="button" className="secondary" onClick={() => runOp('unpublish')} disabled={busy}>
                    Unpublish
                  </button>
                ) : null}
                {workflow.status === 'published' && workflow.leadEventTrigger ? (
                  <button
                    type="button"
                    className="secondary"
                    disabled={busy}
                    title="Replace the secret Leadflow sends with every lead event (e.g. after it leaked)"
                    onClick={() => {
                      if (window.confirm('Replace the webhook secret? The published version is deployed again with a new one; the old one stops working.'))
                        runOp('rotateSecret');
                    }}
                  >
                    New webhook secret
                  </button>
                ) : null}
                {workflow.status !== 'archived' ? (
                  <button
                    type="button"
                    className="secondary"
                    disabled={busy}
                    onClick={() => {
                      if (window.confirm('Archive this workflow? It stops running; you can publish it again later.'))
                        runOp('archive');
                    }}
                  >
                    Archive
                  </button>
                ) : null}
              </>
            ) : (
              <span className="help">Read only: your role can view workflows.</span>
            )}
          </div>
        </header>
        {notice ? (
          <div
            className={notice.kind === 'ok' ? 'notice builder-notice' : 'form-error builder-notice'}
            role={notice.kind === 'ok' ? 'status' : 'alert'}
          >
            {notice.text}
            <button type="button" className="icon" aria-label="Dismiss" onClick={() => setNotice(null)}>
              ×
            </button>
          </div>
        ) : null}
        <div className="builder-body">
          {canEdit ? (
            <aside className="builder-palette">
              <Palette items={palette} isAdmin={isAdmin} onAdd={addStep} />
            </aside>
          ) : null}
          <div className="builder-canvas" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop}>
            <ReactFlow<StepNode, Edge>
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              isValidConnection={isValidConnection}
              onNodeDragStart={onNodeDragStart}
              onNodeDragStop={onNodeDragStop}
              onNodeClick={() => setTab('step')}
              nodesDraggable={canEdit}
              nodesConnectable={canEdit}
              deleteKeyCode={canEdit ? ['Backspace', 'Delete'] : null}
              fitView
              fitViewOptions={{ padding: 0.12, maxZoom: 1.2 }}
              minZoom={0.2}
              maxZoom={2}
              defaultEdgeOptions={{ interactionWidth: 16 }}
              proOptions={{ hideAttribution: false }}
            >
              <Background gap={20} size={1} />
              <MiniMap
                pannable
                zoomable
                nodeStrokeWidth={3}
                style={{ width: 160, height: 110 }}
                nodeColor={(n) => {
                  const d = kindDef(n.type ?? '');
                  return d ? categoryColor(d.category) : '#98a2b3';
                }}
                ariaLabel="Overview of the canvas"
              />
              <Controls showInteractive={false} />
            </ReactFlow>
            {nodes.length === 0 ? (
              <div className="canvas-empty">
                <p>
                  {canEdit ? 'Start with a trigger: drag one from the left, or click it.' : 'This workflow has no steps yet.'}
                </p>
              </div>
            ) : null}
            {viewing ? (
              <VersionViewer
                key={viewing.versionId}
                workflowId={workflow.id}
                versionId={viewing.versionId}
                compare={viewing.compare}
                draft={graph}
                canRollback={canEdit && !archived}
                rollingBack={busy && opsSent.current?.intent === 'rollback'}
                onRollback={(versionId) => runOp('rollback', { versionId })}
                onCompare={(compare) => setViewing({ ...viewing, compare })}
                onClose={() => setViewing(null)}
              />
            ) : null}
          </div>
          <aside className="builder-panel" aria-label="Details">
            <div className="tabs" role="tablist">
              {(
                [
                  ['step', 'Step'],
                  ['problems', `Problems${problemCount ? ` (${problemCount})` : ''}`],
                  ['versions', 'Versions'],
                  ['test', 'Test run'],
                  ['runs', 'Runs'],
                ] as const
              ).map(([id, label]) => (
                <button
                  key={id}
                  type="button"
                  role="tab"
                  id={`tab-${id}`}
                  aria-selected={tab === id}
                  aria-controls={`tabpanel-${id}`}
                  className={tab === id ? 'tab active' : 'tab'}
                  onClick={() => setTab(id)}
                >
                  {label}
                </button>
              ))}
              <button
                type="button"
                className="icon narrow-only panel-close"
                aria-label="Close details"
                onClick={() => setPanelOpen(false)}
              >
                ×
              </button>
            </div>
            <div role="tabpanel" id="tabpanel-step" aria-labelledby="tab-step" hidden={tab !== 'step'} className="tabpanel">
              {selectedNode ? (
                <Inspector
                  key={selectedNode.id}
                  node={selectedNode}
                  errors={errorsByNode[selectedNode.id] ?? []}
                  readOnly={!canEdit || codeLocked}
                  readOnlyReason={codeLocked ? 'Only administrators can change code steps.' : !canEdit ? 'Read only.' : null}
                  onChange={(key, value) => setField(selectedNode.id, key, value)}
                  onListRemove={(key, index) => removeListItem(selectedNode.id, key, index)}
                  onDelete={() => deleteNode(selectedNode.id)}
                />
              ) : (
                <p className="help panel-hint">
                  {selected.length > 1
                    ? `${selected.length} steps selected. Press Delete to remove them.`
                    : 'Select a step to edit its settings.'}
                </p>
              )}
            </div>
            <div
              role="tabpanel"
              id="tabpanel-problems"
              aria-labelledby="tab-problems"
              hidden={tab !== 'problems'}
              className="tabpanel"
            >
              <ProblemsPanel graph={graph} problems={problems} publishProblems={publishProblems} onFocusNode={focusNode} />
            </div>
            <div
              role="tabpanel"
              id="tabpanel-versions"
              aria-labelledby="tab-versions"
              hidden={tab !== 'versions'}
              className="tabpanel"
            >
              <VersionsPanel
                versions={versions}
                publishedVersionId={workflow.publishedVersionId}
                canRollback={canEdit && !archived}
                busy={busy}
                onView={(versionId, compare) => setViewing({ versionId, compare })}
                onRollback={(versionId) => runOp('rollback', { versionId })}
              />
            </div>
            <div role="tabpanel" id="tabpanel-test" aria-labelledby="tab-test" hidden={tab !== 'test'} className="tabpanel">
              <TestRunPanel
                workflowId={workflow.id}
                active={tab === 'test'}
                csrf={csrf}
                canRun={canEdit}
                published={workflow.status === 'published'}
                onResult={setTestRun}
                onFocusNode={focusNode}
              />
            </div>
            <div role="tabpanel" id="tabpanel-runs" aria-labelledby="tab-runs" hidden={tab !== 'runs'} className="tabpanel">
              <ExecutionsPanel workflowId={workflow.id} active={tab === 'runs'} />
            </div>
          </aside>
        </div>
      </div>
    </FlowUiContext.Provider>
  );
}
