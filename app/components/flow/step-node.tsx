// The one node component for every step kind, and `nodeTypes` built ONCE at module level (a new
// object per render would make React Flow remount every node). What a node shows beyond its own
// data (validation errors, diff status, test-run status) comes from FlowUiContext, so node data
// stays exactly what is saved: plain JSON field values.

import { Handle, Position, useUpdateNodeInternals, type Node, type NodeProps, type NodeTypes } from '@xyflow/react';
import { createContext, memo, useContext, useEffect, useRef } from 'react';
import { displayName, nodeKinds, type NodeKind } from '@leadflow/workflow-compiler';
import { categoryColor, inputHandles, kindDef, outputHandles } from './catalogue';
import type { NodeDiffStatus } from './graph-diff';

/** A canvas step's data: field values keyed by field key (plus an optional `label`). Plain JSON. */
export type StepData = Record<string, unknown>;

/** A canvas step: a union keyed by the catalogue kind ("lead.addTag"). */
export type StepNode = { [K in NodeKind]: Node<StepData, K> }[NodeKind];

export interface FlowUi {
  /** Problems per node id (validation and publish errors). */
  errors: Record<string, string[]>;
  diff?: Record<string, NodeDiffStatus>;
  run?: Record<string, 'ok' | 'error'>;
}

export const FlowUiContext = createContext<FlowUi>({ errors: {} });

const HEADER = 46; // px: the handle rows start below the header
const ROW = 24;

function StepNodeView({ id, type, data, selected }: NodeProps<StepNode>) {
  const ui = useContext(FlowUiContext);
  const def = kindDef(type);
  const outs = outputHandles(type, data);
  const ins = inputHandles(type, data);
  const errors = ui.errors[id] ?? [];
  const diff = ui.diff?.[id];
  const run = ui.run?.[id];

  // React Flow caches handle positions: tell it when a Switch/Merge gains or loses handles.
  // NOTE: not on mount — an early update makes the initial fitView run before every node is
  // measured, so it would fit only the first nodes.
  const updateNodeInternals = useUpdateNodeInternals();
  const handleKey = `${ins.map((h) => h.id).join(',')}|${outs.map((h) => h.id).join(',')}`;
  const lastHandleKey = useRef(handleKey);
  useEffect(() => {
    if (lastHandleKey.current === handleKey) return;
    lastHandleKey.current = handleKey;
    updateNodeInternals(id);
  }, [id, handleKey, updateNodeInternals]);

  const labelled = outs.some((h) => h.label) || ins.some((h) => h.label);
  const rows = labelled ? Math.max(outs.length, ins.length) : 0;
  const top = (i: number, count: number) =>
    labelled ? HEADER + ROW * i + ROW / 2 : count === 1 ? '50%' : `${((i + 1) / (count + 1)) * 100}%`;
  const color = def ? categoryColor(def.category) : '#98a2b3';
  const name = displayName({ type, data });
  const classes = [
    'flow-node',
    def ? `cat-${def.category}` : 'unknown',
    selected ? 'selected' : '',
    errors.length ? 'has-errors' : '',
    diff ? `diff-${diff}` : '',
    run ? `run-${run}` : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <div
      className={classes}
      style={{ ['--cat' as string]: color, minHeight: labelled ? HEADER + rows * ROW + 8 : undefined }}
      data-kind={type}
    >
      {ins.map((h, i) => (
        <Handle
          key={`in-${h.id ?? 'default'}`}
          type="target"
          position={Position.Left}
          id={h.id ?? undefined}
          style={{ top: top(i, ins.length) }}
        />
      ))}
      <div className="flow-node-head">
        <span className="flow-node-cat" aria-hidden="true" />
        <div className="flow-node-titles">
          <div className="flow-node-name" title={name}>
            {name}
          </div>
          <div className="flow-node-kind">{def ? nodeKinds[type].label : `Unknown step: ${type}`}</div>
        </div>
        {errors.length > 0 ? (
          <span
            className="flow-badge"
            role="img"
            aria-label={`${errors.length} problem${errors.length === 1 ? '' : 's'}`}
            title={errors.join('\n')}
          >
            {errors.length}
          </span>
        ) : null}
        {diff && diff !== 'unchanged' ? <span className={`flow-diff-tag diff-${diff}`}>{diff}</span> : null}
      </div>
      {labelled ? (
        <div className="flow-node-ports" style={{ height: rows * ROW }}>
          {ins.map((h, i) =>
            h.label ? (
              <span key={`li-${h.id}`} className="port-label in" style={{ top: ROW * i }}>
                {h.label}
              </span>
            ) : null,
          )}
          {outs.map((h, i) =>
            h.label ? (
              <span key={`lo-${h.id}`} className="port-label out" style={{ top: ROW * i }} title={h.label}>
                {h.label}
              </span>
            ) : null,
          )}
        </div>
      ) : null}
      {outs.map((h, i) => (
        <Handle
          key={`out-${h.id}`}
          type="source"
          position={Position.Right}
          id={h.id ?? undefined}
          style={{ top: top(i, outs.length) }}
        />
      ))}
    </div>
  );
}

const StepNodeMemo = memo(StepNodeView);

/** Every catalogue kind renders with the same component; unknown types fall back to it too. */
export const nodeTypes: NodeTypes = Object.fromEntries([
  ...Object.keys(nodeKinds).map((kind) => [kind, StepNodeMemo]),
  ['default', StepNodeMemo],
]);
