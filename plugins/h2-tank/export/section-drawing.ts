/**
 * A dimensioned section drawing of one tank, as a list of vector primitives in a
 * y-down drawing frame (points), so one drawing renders to both tank.svg (`toSvg`) and
 * the PDF report (`drawOnPdf`). The section cuts the tank through its axis: the
 * composite wall (dark), the liner (light), the gas space, the polar openings, and
 * dimension lines for overall length, cylinder length, outer and inner diameter, dome
 * height and polar opening, plus a callout for the wall build-up.
 *
 * Outer contour: the exact outer envelope of export/outer-profile.ts (as in tank.step).
 * Liner and inner contours: the same isotensoid meridian at the liner radii, scaled to
 * the liner dome height: a drawing, not a second model; every figure printed on it
 * comes from the design record. Deterministic: coordinates are rounded to 0.01 pt.
 */
import { rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import type { Design } from '../schemas.ts';
import { domeProfile } from '../engineering/dome.ts';
import { outerProfile } from './outer-profile.ts';

/** A filled, outlined closed polygon. */
interface Poly {
  kind: 'poly';
  points: Array<[number, number]>;
  fill: string;
  stroke: string;
}
/** A straight line; `arrows` puts arrowheads at the listed ends. */
interface Line {
  kind: 'line';
  from: [number, number];
  to: [number, number];
  width: number;
  color: string;
  dash?: boolean;
  arrows?: Array<'start' | 'end'>;
}
/** A text label; `anchor` aligns it on `at`; `vertical` reads bottom to top. */
interface Text {
  kind: 'text';
  at: [number, number];
  text: string;
  size: number;
  anchor: 'start' | 'middle' | 'end';
  vertical?: boolean;
}
export type Primitive = Poly | Line | Text;

/** A drawing: its size in points (y down) and what is on it. */
export interface Drawing {
  width: number;
  height: number;
  title: string;
  items: Primitive[];
}

/** What the drawing labels besides the geometry. */
export interface DrawingLabels {
  liner: string;
  /** Fiber and resin, or `none` for an unwrapped vessel. */
  wrap: string;
  tankType: string;
}

const COLORS = { composite: '#4a4f5a', liner: '#c9d3e0', steel: '#8b929c', gas: '#ffffff', line: '#1a1a1f', dim: '#1f4fa6', axis: '#8a8a93' } as const;
/** Helvetica's mean glyph width is about half the font size: enough to tell whether a label fits. */
const textWidth = (t: string, size: number): number => 0.52 * size * t.length;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const mm = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1)).replace(/\.0$/, '');

/** A dome contour (equator to pole) for a cylinder radius, a pole radius and a dome height, mm. */
function domeAt(radius: number, poleRadius: number, height: number, points = 25): Array<[number, number]> {
  const rho0 = Math.min(0.8, Math.max(0.02, poleRadius / radius));
  const raw = domeProfile(rho0, points);
  const top = raw[raw.length - 1]!.z;
  return raw.map((p) => [p.rho * radius, (p.z / top) * height]);
}

/** A closed section contour (upper half then mirrored lower half), in mm around the tank centre: [z, r]. */
function contour(cylHalf: number, dome: Array<[number, number]>): Array<[number, number]> {
  const right = dome.map(([r, h]) => [cylHalf + h, r] as [number, number]);
  const left = [...dome].reverse().map(([r, h]) => [-cylHalf - h, r] as [number, number]);
  const upper = [...left, ...right];
  const lower = [...upper].reverse().map(([z, r]) => [z, -r] as [number, number]);
  return [...upper, ...lower];
}

/**
 * The section drawing of one tank of `design`, to scale, fitted into `width` x `maxHeight` points
 * (a slim tank takes less height).
 * @throws StagegraphError `export_invalid_geometry` (from outerProfile) for a geometry that is not a closed tank
 * @example toSvg(sectionDrawing(design, { liner: 'HDPE', wrap: 'T700S/epoxy', tankType: 'IV' }))
 */
export function sectionDrawing(design: Design, labels: DrawingLabels, width = 495, maxHeight = 300): Drawing {
  const g = design.geometry;
  const v = design.variables;
  const outer = outerProfile(g, 24);
  const linerT = v.linerThicknessMm;
  const wallT = design.layup.compositeMm;
  const rIn = g.innerRadiusMm;
  const rLiner = rIn + linerT;
  const cylHalf = g.cylinderLengthMm / 2;
  const r0 = g.polarOpeningRadiusMm;
  const outerDome: Array<[number, number]> = outer.dome.map((p) => [p.r, p.h]);
  const linerDome = domeAt(rLiner, Math.min(r0, rLiner * 0.8), g.domeHeightMm);
  const innerDome = domeAt(rIn, Math.min(r0, rIn * 0.8), Math.max(1, g.domeHeightMm - linerT));

  // Fit: drawing margins leave room for dimension lines and labels.
  const margin = { left: 40, right: 84, top: 66, bottom: 62 };
  const spanZ = g.overallLengthMm;
  const spanR = 2 * g.outerRadiusMm;
  const scale = Math.min((width - margin.left - margin.right) / spanZ, (maxHeight - margin.top - margin.bottom) / spanR);
  // A long, slim tank (to scale) needs less height than the page allows.
  const height = Math.ceil(spanR * scale + margin.top + margin.bottom);
  const cx = margin.left + ((width - margin.left - margin.right) - spanZ * scale) / 2 + (spanZ * scale) / 2;
  const cy = margin.top + (height - margin.top - margin.bottom) / 2;
  const P = (z: number, r: number): [number, number] => [r2(cx + z * scale), r2(cy - r * scale)];
  const poly = (pts: Array<[number, number]>, fill: string): Poly => ({ kind: 'poly', points: pts.map(([z, r]) => P(z, r)), fill, stroke: COLORS.line });
  const items: Primitive[] = [];
  const dim = (from: [number, number], to: [number, number]): void => {
    items.push({ kind: 'line', from, to, width: 0.6, color: COLORS.dim, arrows: ['start', 'end'] });
  };
  const ext = (from: [number, number], to: [number, number]): void => {
    items.push({ kind: 'line', from, to, width: 0.3, color: COLORS.dim });
  };
  const text = (at: [number, number], t: string, anchor: Text['anchor'] = 'middle', vertical = false, size = 7.5): void => {
    items.push({ kind: 'text', at: [r2(at[0]), r2(at[1])], text: t, size, anchor, ...(vertical ? { vertical } : {}) });
  };

  // Layers, painted outside in.
  const wrapped = wallT > 0.05;
  const metalWall = !wrapped && labels.liner.startsWith('steel') ? COLORS.steel : COLORS.liner;
  items.push(poly(contour(cylHalf, outerDome), wrapped ? COLORS.composite : metalWall));
  if (wallT > 0.05) items.push(poly(contour(cylHalf, linerDome), COLORS.liner));
  items.push(poly(contour(cylHalf, innerDome), COLORS.gas));
  // Polar openings: the port through the wall at each pole.
  const poleZ = cylHalf + outer.domeHeightMm;
  for (const s of [-1, 1]) {
    const zIn = s * (cylHalf + innerDome[innerDome.length - 1]![1] - 1);
    const zOut = s * (poleZ + 2);
    items.push(poly([[zIn, r0], [zOut, r0], [zOut, -r0], [zIn, -r0]], COLORS.gas));
  }
  // Axis.
  items.push({ kind: 'line', from: P(-poleZ - 12, 0), to: P(poleZ + 12, 0), width: 0.4, color: COLORS.axis, dash: true });

  const [xL, yTop] = P(-g.overallLengthMm / 2, g.outerRadiusMm);
  const [xR, yBot] = P(g.overallLengthMm / 2, -g.outerRadiusMm);
  // Overall length, below.
  const yLen = yBot + 26;
  ext([xL, P(0, -r0)[1]], [xL, yLen + 4]);
  ext([xR, P(0, -r0)[1]], [xR, yLen + 4]);
  dim([xL, yLen], [xR, yLen]);
  text([(xL + xR) / 2, yLen + 11], `Overall length ${mm(g.overallLengthMm)} mm`);
  // Cylinder length, above.
  const [xcL] = P(-cylHalf, 0);
  const [xcR] = P(cylHalf, 0);
  const yCyl = yTop - 16;
  if (g.cylinderLengthMm > 0) {
    ext([xcL, yTop], [xcL, yCyl - 4]);
    ext([xcR, yTop], [xcR, yCyl - 4]);
    dim([xcL, yCyl], [xcR, yCyl]);
    text([(xcL + xcR) / 2, yCyl - 4], `Cylinder ${mm(g.cylinderLengthMm)} mm`);
  }
  // Dome height (outer), above the right dome.
  const yDome = yTop - 34;
  ext([xcR, yCyl - 4], [xcR, yDome - 4]);
  ext([xR, P(0, r0)[1]], [xR, yDome - 4]);
  dim([xcR, yDome], [xR, yDome]);
  text([(xcR + xR) / 2, yDome - 4], `Dome ${mm(outer.domeHeightMm)} mm`);
  // Outer diameter, right.
  const xOd = xR + 22;
  const [, yOdTop] = P(0, g.outerRadiusMm);
  const [, yOdBot] = P(0, -g.outerRadiusMm);
  ext([xcR, yOdTop], [xOd + 4, yOdTop]);
  ext([xcR, yOdBot], [xOd + 4, yOdBot]);
  dim([xOd, yOdTop], [xOd, yOdBot]);
  const odLabel = `OD ${mm(2 * g.outerRadiusMm)} mm`;
  if (textWidth(odLabel, 7.5) + 8 < yOdBot - yOdTop) text([xOd + 10, (yOdTop + yOdBot) / 2], odLabel, 'middle', true);
  else text([xOd + 4, (yOdTop + yOdBot) / 2 + 2.5], odLabel, 'start');
  // Inner diameter, inside the gas space near the left end of the cylinder.
  const [xId] = P(-cylHalf * 0.55, 0);
  const [, yIdTop] = P(0, rIn);
  const [, yIdBot] = P(0, -rIn);
  dim([xId, yIdTop], [xId, yIdBot]);
  const idLabel = `ID ${mm(2 * rIn)} mm`;
  if (textWidth(idLabel, 7.5) + 8 < yIdBot - yIdTop) text([xId - 4, (yIdTop + yIdBot) / 2], idLabel, 'middle', true);
  else text([xId + 4, (yIdTop + yIdBot) / 2 + 2.5], idLabel, 'start');
  // Polar opening, at the left pole.
  const [xPole, yP1] = P(-poleZ - 2, r0);
  const [, yP2] = P(-poleZ - 2, -r0);
  ext([xPole, yP1], [xPole - 16, yP1]);
  ext([xPole, yP2], [xPole - 16, yP2]);
  dim([xPole - 12, yP1], [xPole - 12, yP2]);
  text([xPole - 16, (yP1 + yP2) / 2], `Polar opening ${mm(2 * r0)} mm`, 'middle', true, 6.5);
  // Wall build-up, in words under the drawing.
  const wall = wallT > 0.05
    ? `Wall: ${labels.liner} liner ${mm(linerT)} mm + ${labels.wrap} composite ${mm(wallT)} mm`
    : `Wall: ${labels.liner} ${mm(linerT)} mm`;
  text([(xL + xR) / 2, yBot + 48], `${wall}; one of ${v.count} tank${v.count > 1 ? 's' : ''}, water volume ${g.waterVolumeL.toFixed(1)} L`);

  const title = `Type ${labels.tankType} tank ${design.id}: section through the axis, dimensions in mm`;
  items.push({ kind: 'text', at: [r2(width / 2), 12], text: title, size: 8.5, anchor: 'middle' });
  return { width, height, title, items };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Two arrowhead triangles for a dimension line, as [tip, left, right] per end. */
function arrowHeads(l: Line, size = 4): Array<Array<[number, number]>> {
  const [x1, y1] = l.from;
  const [x2, y2] = l.to;
  const len = Math.hypot(x2 - x1, y2 - y1) || 1;
  const ux = (x2 - x1) / len;
  const uy = (y2 - y1) / len;
  const head = (tx: number, ty: number, dx: number, dy: number): Array<[number, number]> => [
    [tx, ty],
    [r2(tx - dx * size - dy * size * 0.35), r2(ty - dy * size + dx * size * 0.35)],
    [r2(tx - dx * size + dy * size * 0.35), r2(ty - dy * size - dx * size * 0.35)],
  ];
  const out: Array<Array<[number, number]>> = [];
  if (l.arrows?.includes('start')) out.push(head(x1, y1, -ux, -uy));
  if (l.arrows?.includes('end')) out.push(head(x2, y2, ux, uy));
  return out;
}

/**
 * The drawing as a standalone SVG document (tank.svg). Deterministic text.
 * @example await writeFile('tank.svg', toSvg(drawing))
 */
export function toSvg(d: Drawing): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${d.width}pt" height="${d.height}pt" viewBox="0 0 ${d.width} ${d.height}" font-family="Helvetica, Arial, sans-serif">`,
    `<title>${esc(d.title)}</title>`,
    `<rect width="${d.width}" height="${d.height}" fill="#ffffff"/>`,
  ];
  for (const it of d.items) {
    if (it.kind === 'poly') {
      out.push(`<polygon points="${it.points.map(([x, y]) => `${x},${y}`).join(' ')}" fill="${it.fill}" stroke="${it.stroke}" stroke-width="0.6"/>`);
    } else if (it.kind === 'line') {
      out.push(`<line x1="${it.from[0]}" y1="${it.from[1]}" x2="${it.to[0]}" y2="${it.to[1]}" stroke="${it.color}" stroke-width="${it.width}"${it.dash ? ' stroke-dasharray="6 2 1 2"' : ''}/>`);
      for (const h of arrowHeads(it)) out.push(`<polygon points="${h.map(([x, y]) => `${x},${y}`).join(' ')}" fill="${it.color}"/>`);
    } else {
      const transform = it.vertical ? ` transform="rotate(-90 ${it.at[0]} ${it.at[1]})"` : '';
      out.push(`<text x="${it.at[0]}" y="${it.at[1]}" font-size="${it.size}" text-anchor="${it.anchor}"${transform}>${esc(it.text)}</text>`);
    }
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

const color = (hex: string): RGB => rgb(parseInt(hex.slice(1, 3), 16) / 255, parseInt(hex.slice(3, 5), 16) / 255, parseInt(hex.slice(5, 7), 16) / 255);

/** Where the drawing goes on a PDF page: its top-left corner, points (PDF y up). */
export interface PdfTarget {
  page: PDFPage;
  font: PDFFont;
  x: number;
  /** The PDF y of the drawing's top edge. */
  top: number;
  /** Draws text with the page-font bookkeeping of the report (PdfFlow.text). */
  drawText: (text: string, at: { x: number; y: number; size: number; rotate?: number }) => void;
}

/** Draws the drawing as PDF vector paths at `target` (same primitives as the SVG). */
export function drawOnPdf(d: Drawing, target: PdfTarget): void {
  const { page, font } = target;
  // pdf-lib's drawSvgPath takes y-down coordinates from (x, y): the drawing frame as is.
  const at = { x: target.x, y: target.top };
  for (const it of d.items) {
    if (it.kind === 'poly') {
      const path = `M ${it.points.map(([x, y]) => `${x} ${y}`).join(' L ')} Z`;
      page.drawSvgPath(path, { ...at, color: color(it.fill), borderColor: color(it.stroke), borderWidth: 0.6 });
    } else if (it.kind === 'line') {
      page.drawLine({
        start: { x: target.x + it.from[0], y: target.top - it.from[1] },
        end: { x: target.x + it.to[0], y: target.top - it.to[1] },
        thickness: it.width,
        color: color(it.color),
        ...(it.dash ? { dashArray: [6, 2, 1, 2] } : {}),
      });
      for (const h of arrowHeads(it)) page.drawSvgPath(`M ${h.map(([x, y]) => `${x} ${y}`).join(' L ')} Z`, { ...at, color: color(it.color) });
    } else {
      const w = font.widthOfTextAtSize(it.text, it.size);
      const shift = it.anchor === 'middle' ? w / 2 : it.anchor === 'end' ? w : 0;
      if (it.vertical) target.drawText(it.text, { x: target.x + it.at[0], y: target.top - it.at[1] - shift, size: it.size, rotate: 90 });
      else target.drawText(it.text, { x: target.x + it.at[0] - shift, y: target.top - it.at[1], size: it.size });
    }
  }
}
