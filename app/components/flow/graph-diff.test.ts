import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlowGraph } from '@leadflow/workflow-compiler';
import { describeDiff, diffGraphs, diffHunks, isEmptyDiff, lineDiff, mergedGraph, stableStringify } from './graph-diff';

function template(id: string): FlowGraph {
  return (JSON.parse(fs.readFileSync(path.resolve('workflows', `${id}.json`), 'utf8')) as { graph: FlowGraph }).graph;
}

/** Applies a line diff to the old text: must give the new text (a correctness oracle). */
function apply(oldText: string, lines: ReturnType<typeof lineDiff>): string {
  const old = oldText === '' ? [] : oldText.split('\n');
  const out: string[] = [];
  for (const l of lines) {
    if (l.op === 'same') {
      expect(old[l.oldLine! - 1]).toBe(l.text);
      out.push(l.text);
    } else if (l.op === 'add') out.push(l.text);
    else expect(old[l.oldLine! - 1]).toBe(l.text);
  }
  return out.join('\n');
}

describe('lineDiff', () => {
  it('finds the smallest edit for a changed line', () => {
    const d = lineDiff('a\nb\nc\nd', 'a\nB\nc\nd');
    expect(d.map((l) => `${l.op}:${l.text}`)).toEqual(['same:a', 'del:b', 'add:B', 'same:c', 'same:d']);
    expect(d.find((l) => l.op === 'add')).toMatchObject({ newLine: 2 });
    expect(d.find((l) => l.op === 'del')).toMatchObject({ oldLine: 2 });
  });

  it('handles empty texts, insertions at either end and identical texts', () => {
    expect(lineDiff('', '')).toEqual([]);
    expect(lineDiff('', 'x').map((l) => l.op)).toEqual(['add']);
    expect(lineDiff('x', '').map((l) => l.op)).toEqual(['del']);
    expect(lineDiff('b\nc', 'a\nb\nc\nd').map((l) => `${l.op}:${l.text}`)).toEqual(['add:a', 'same:b', 'same:c', 'add:d']);
    expect(lineDiff('a\nb', 'a\nb').every((l) => l.op === 'same')).toBe(true);
  });

  it('is a longest common subsequence: kept lines are maximal and the edit applies', () => {
    const a = ['x', 'a', 'b', 'c', 'y', 'd', 'e'].join('\n');
    const b = ['a', 'z', 'b', 'c', 'd', 'w', 'e'].join('\n');
    const d = lineDiff(a, b);
    expect(d.filter((l) => l.op === 'same').map((l) => l.text)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(apply(a, d)).toBe(b);
  });

  it('round-trips random edits of pretty-printed JSON', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 50; round++) {
      const lines = Array.from({ length: 5 + rand(40) }, () => `line ${rand(8)}`);
      const edited = [...lines];
      for (let k = 0; k < 1 + rand(6); k++) {
        const at = rand(edited.length + 1);
        if (rand(2) === 0) edited.splice(at, 1);
        else edited.splice(at, 0, `new ${rand(5)}`);
      }
      const oldText = lines.join('\n');
      const newText = edited.join('\n');
      expect(apply(oldText, lineDiff(oldText, newText))).toBe(newText);
    }
  });

  it('collapses long unchanged runs around the changes', () => {
    const old = Array.from({ length: 30 }, (_, i) => `l${i}`);
    const next = [...old];
    next[15] = 'changed';
    const hunks = diffHunks(lineDiff(old.join('\n'), next.join('\n')), 2);
    expect(hunks[0]).toEqual({ skipped: 13 });
    expect(hunks.filter((h) => 'op' in h).map((h) => ('op' in h ? `${h.op}:${h.text}` : ''))).toEqual([
      'same:l13',
      'same:l14',
      'del:l15',
      'add:changed',
      'same:l16',
      'same:l17',
    ]);
    expect(hunks[hunks.length - 1]).toEqual({ skipped: 12 });
  });
});

describe('diffGraphs', () => {
  it('sees no change between a graph and itself (whatever the key order)', () => {
    const g = template('new-lead-routing');
    const reordered: FlowGraph = JSON.parse(stableStringify(g));
    const diff = diffGraphs(g, reordered);
    expect(isEmptyDiff(diff)).toBe(true);
    expect(Object.values(diff.status).every((s) => s === 'unchanged')).toBe(true);
  });

  it('reports added, removed, changed and moved steps and connections', () => {
    const before = template('new-lead-routing');
    const after: FlowGraph = JSON.parse(JSON.stringify(before));
    // remove "nurture" (and its edge), add a step, change the Slack text, move the If
    after.nodes = after.nodes.filter((n) => n.id !== 'nurture');
    after.edges = after.edges.filter((e) => e.target !== 'nurture');
    after.nodes.push({ id: 'tag2', type: 'lead.addTag', position: { x: 800, y: 0 }, data: { tag: 'hot' } });
    after.edges.push({ id: 'new-edge-id', source: 'assign', target: 'tag2' });
    after.nodes.find((n) => n.id === 'notify')!.data.text = 'Hot lead!';
    after.nodes.find((n) => n.id === 'hot')!.position = { x: 300, y: 120 };
    // The same connection under a new edge id is not a change.
    after.edges.find((e) => e.id === 'trigger-hot')!.id = 'renamed';

    const diff = diffGraphs(before, after);
    expect(diff.added.map((n) => n.id)).toEqual(['tag2']);
    expect(diff.removed.map((n) => n.id)).toEqual(['nurture']);
    expect(diff.changed.map((c) => [c.id, c.fields.map((f) => f.label)])).toEqual([['notify', ['Message']]]);
    expect(diff.moved).toEqual(['hot']);
    expect(diff.edgesAdded.map((e) => `${e.source}->${e.target}`)).toEqual(['assign->tag2']);
    expect(diff.edgesRemoved.map((e) => `${e.source}:${e.sourceHandle}->${e.target}`)).toEqual(['hot:false->nurture']);
    expect(diff.status).toMatchObject({
      tag2: 'added',
      nurture: 'removed',
      notify: 'changed',
      hot: 'unchanged',
      trigger: 'unchanged',
    });

    const text = describeDiff(before, after, diff).map((c) => c.text);
    expect(text).toContain('Added "Add tag" (Add tag)');
    expect(text).toContain('Removed "Tag for nurture" (Add tag)');
    expect(text.find((t) => t.startsWith('Changed "Tell sales": Message: '))).toMatch(/→ "Hot lead!"$/);
    expect(text).toContain('Moved "Score 70+?"');
    expect(text).toContain('Connected "Assign owner" → "Add tag"');
    expect(text).toContain('Disconnected "Score 70+?" (false) → "Tag for nurture"');

    // The diff canvas shows both sides: the removed step and its connection come back, marked.
    const { graph, edgeStatus } = mergedGraph(before, after, diff);
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(['assign', 'hot', 'notify', 'nurture', 'tag2', 'trigger']);
    expect(
      Object.entries(edgeStatus)
        .filter(([, s]) => s !== 'unchanged')
        .sort(),
    ).toEqual([
      ['after:new-edge-id', 'added'],
      ['before:hot-nurture', 'removed'],
    ]);
  });

  it('notices a changed step type and a field that was cleared', () => {
    const before: FlowGraph = {
      nodes: [{ id: 'a', type: 'lead.addTag', position: { x: 0, y: 0 }, data: { tag: 'x', label: 'Tag it' } }],
      edges: [],
    };
    const after: FlowGraph = {
      nodes: [{ id: 'a', type: 'lead.removeTag', position: { x: 0, y: 0 }, data: { tag: 'x' } }],
      edges: [],
    };
    const diff = diffGraphs(before, after);
    expect(diff.changed).toHaveLength(1);
    expect(diff.changed[0].typeChanged).toBe(true);
    expect(diff.changed[0].fields).toEqual([{ key: 'label', label: 'Name', before: 'Tag it', after: undefined }]);
    expect(describeDiff(before, after, diff)[0].text).toBe(
      'Changed "Remove tag": type: Add tag → Remove tag; Name: "Tag it" → (empty)',
    );
  });
});
