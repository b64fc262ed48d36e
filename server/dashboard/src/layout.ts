/**
 * A layered layout for small directed graphs (a workflow: tens of nodes): layers top
 * to bottom by longest path from the sources, back edges (loops) cut first and routed
 * through a channel on the right. Pure: positions only, no DOM.
 */

export interface LayoutNode {
  id: string;
}

export interface LayoutEdge {
  from: string;
  to: string;
  /** Known to close a loop (e.g. a workflow's `loop` edge). Others closing a cycle are found by DFS. */
  back?: boolean;
}

export interface Placed {
  x: number;
  y: number;
  w: number;
  h: number;
  layer: number;
}

export interface Layout {
  pos: Map<string, Placed>;
  /** Edges drawn against the flow (loops), by index into the input. */
  back: Set<number>;
  width: number;
  height: number;
  /** x of the channel back edges run in. */
  channelX: number;
}

export interface LayoutOptions {
  nodeW?: number | ((id: string) => number);
  nodeH?: number;
  gapX?: number;
  gapY?: number;
  margin?: number;
}

export function layered(nodes: LayoutNode[], edges: LayoutEdge[], o: LayoutOptions = {}): Layout {
  const nodeH = o.nodeH ?? 26;
  const gapX = o.gapX ?? 14;
  const gapY = o.gapY ?? 18;
  const margin = o.margin ?? 10;
  const widthOf = (id: string) => (typeof o.nodeW === 'function' ? o.nodeW(id) : o.nodeW ?? 150);
  const ids = nodes.map((n) => n.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const out = new Map<string, number[]>(ids.map((id) => [id, []]));
  edges.forEach((e, i) => {
    if (index.has(e.from) && index.has(e.to)) out.get(e.from)!.push(i);
  });

  // Cut back edges: the marked ones, then any edge into a node on the DFS stack.
  const back = new Set<number>();
  edges.forEach((e, i) => e.back && back.add(i));
  const state = new Map<string, 1 | 2>();
  const visit = (id: string) => {
    state.set(id, 1);
    for (const i of out.get(id)!) {
      if (back.has(i)) continue;
      const to = edges[i]!.to;
      const s = state.get(to);
      if (s === 1) back.add(i);
      else if (s === undefined) visit(to);
    }
    state.set(id, 2);
  };
  for (const id of ids) if (!state.has(id)) visit(id);

  // Longest path layering over the forward edges (Kahn order).
  const indeg = new Map(ids.map((id) => [id, 0]));
  edges.forEach((e, i) => {
    if (!back.has(i) && index.has(e.from) && index.has(e.to)) indeg.set(e.to, indeg.get(e.to)! + 1);
  });
  const layer = new Map(ids.map((id) => [id, 0]));
  const queue = ids.filter((id) => indeg.get(id) === 0);
  while (queue.length) {
    const id = queue.shift()!;
    for (const i of out.get(id)!) {
      if (back.has(i)) continue;
      const to = edges[i]!.to;
      layer.set(to, Math.max(layer.get(to)!, layer.get(id)! + 1));
      indeg.set(to, indeg.get(to)! - 1);
      if (indeg.get(to) === 0) queue.push(to);
    }
  }

  const layers: string[][] = [];
  for (const id of ids) (layers[layer.get(id)!] ??= []).push(id);
  const rowWidth = (row: string[]) => row.reduce((w, id) => w + widthOf(id), 0) + gapX * Math.max(0, row.length - 1);
  const inner = Math.max(...layers.map((row) => rowWidth(row ?? [])), 0);
  const pos = new Map<string, Placed>();
  layers.forEach((row, l) => {
    let x = margin + (inner - rowWidth(row)) / 2;
    for (const id of row) {
      const w = widthOf(id);
      pos.set(id, { x, y: margin + l * (nodeH + gapY), w, h: nodeH, layer: l });
      x += w + gapX;
    }
  });
  const channel = back.size ? 40 : 0;
  return {
    pos, back,
    width: inner + 2 * margin + channel,
    height: margin * 2 + layers.length * nodeH + Math.max(0, layers.length - 1) * gapY,
    channelX: margin + inner + channel / 2,
  };
}

const n = (v: number) => Math.round(v * 10) / 10;

/** An SVG path from the bottom of `a` to the top of `b`, or through the right channel for a back edge. */
export function edgePath(a: Placed, b: Placed, isBack: boolean, channelX: number): string {
  if (isBack) {
    const ay = a.y + a.h / 2;
    const by = b.y + b.h / 2;
    const r = 8;
    const up = by < ay ? -1 : 1;
    return `M${n(a.x + a.w)},${n(ay)} H${n(channelX - r)} Q${n(channelX)},${n(ay)} ${n(channelX)},${n(ay + up * r)} V${n(by - up * r)} Q${n(channelX)},${n(by)} ${n(channelX - r)},${n(by)} H${n(b.x + b.w)}`;
  }
  const x1 = a.x + a.w / 2;
  const y1 = a.y + a.h;
  const x2 = b.x + b.w / 2;
  const y2 = b.y;
  const my = (y1 + y2) / 2;
  return `M${n(x1)},${n(y1)} C${n(x1)},${n(my)} ${n(x2)},${n(my)} ${n(x2)},${n(y2)}`;
}
