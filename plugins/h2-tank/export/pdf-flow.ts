/**
 * A small flowing layout over pdf-lib: headings, wrapped paragraphs and tables that
 * break across A4 pages, plus a footer on every page. pdf-lib draws; this only decides
 * where. Text goes through `clean()` because the standard Helvetica font encodes
 * WinAnsi only.
 */
import { PDFDocument, PDFFont, PDFPage, StandardFonts, rgb, type RGB } from 'pdf-lib';

/** A4 portrait, points. */
export const PAGE = { width: 595.28, height: 841.89, margin: 50 } as const;

/** Colours used across the report. */
export const INK = {
  text: rgb(0.1, 0.1, 0.12),
  muted: rgb(0.42, 0.42, 0.46),
  rule: rgb(0.75, 0.75, 0.78),
  header: rgb(0.9, 0.92, 0.95),
  pass: rgb(0.1, 0.5, 0.2),
  fail: rgb(0.75, 0.1, 0.1),
  other: rgb(0.7, 0.45, 0.0),
  accent: rgb(0.12, 0.32, 0.65),
} as const;

/** A table column: header text, share of the text width, alignment. */
export interface Column {
  header: string;
  /** Fraction of the text width; the fractions of a table should add up to 1. */
  width: number;
  /** @default "left" */
  align?: 'left' | 'right';
}

/** Per-cell colour for a table body, e.g. a verdict column. */
export type CellColor = (row: number, col: number) => RGB | undefined;

const REPLACEMENTS: Record<string, string> = {
  '≥': '>=', '≤': '<=', '→': '->', '←': '<-', '≈': '~', '≠': '!=', '−': '-', '₂': '2', '³': '3',
  'α': 'alpha', 'η': 'eta', 'ρ': 'rho', 'σ': 'sigma', 'Δ': 'delta', '√': 'sqrt', '∞': 'inf',
};

/** Lays out text and tables top-down over as many pages as needed. */
export class PdfFlow {
  page!: PDFPage;
  /** Baseline cursor, points from the bottom. */
  y = 0;
  private readonly charset: Set<number>;

  private constructor(
    readonly doc: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.charset = new Set(regular.getCharacterSet());
    this.newPage();
  }

  /** A flow over a new first page of `doc`, with Helvetica and Helvetica-Bold. */
  static async create(doc: PDFDocument): Promise<PdfFlow> {
    const regular = await doc.embedFont(StandardFonts.Helvetica);
    const bold = await doc.embedFont(StandardFonts.HelveticaBold);
    return new PdfFlow(doc, regular, bold);
  }

  /** Width available for text, points. */
  get width(): number {
    return PAGE.width - 2 * PAGE.margin;
  }

  /** Text the standard font can encode: known symbols spelt out, anything else as '?'. */
  clean(text: string): string {
    let out = '';
    for (const ch of text.replace(/\s+/g, ' ')) {
      const rep = REPLACEMENTS[ch];
      if (rep !== undefined) out += rep;
      else out += this.charset.has(ch.codePointAt(0)!) ? ch : '?';
    }
    return out;
  }

  newPage(): void {
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - PAGE.margin;
  }

  /** Starts a new page unless `height` points still fit above the bottom margin. */
  ensure(height: number): void {
    if (this.y - height < PAGE.margin + 14) this.newPage();
  }

  /**
   * Splits cleaned text into lines no wider than `width`. A line's width grows word by
   * word instead of being measured again whole (which made long paragraphs quadratic):
   * pdf-lib sums integer glyph widths and kerning in font units, so
   * units(line + ' ' + word) = units(line) + kern(last of line, ' ') + units(' ' + word)
   * exactly, and the breaks are the ones whole-line measuring gives.
   */
  wrap(text: string, width: number, font: PDFFont, size: number): string[] {
    const lines: string[] = [];
    const scale = size / 1000; // as pdf-lib's widthOfTextAtSize: units x (size / 1000)
    const units = (s: string): number => font.widthOfTextAtSize(s, 1000);
    const fits = (u: number): boolean => u * scale <= width;
    let line = '';
    let lineUnits = 0;
    for (let word of this.clean(text).split(' ')) {
      while (!fits(units(word))) {
        // A word wider than the column (an id, a long number) is cut where it overflows.
        let cut = word.length - 1;
        while (cut > 1 && !fits(units(word.slice(0, cut)))) cut--;
        if (line) lines.push(line);
        lines.push(word.slice(0, cut));
        line = '';
        lineUnits = 0;
        word = word.slice(cut);
      }
      const nextUnits = line ? lineUnits + this.kernBeforeSpace(font, line.at(-1)!) + units(` ${word}`) : units(word);
      if (fits(nextUnits)) {
        line = line ? `${line} ${word}` : word;
        lineUnits = nextUnits;
      } else {
        lines.push(line);
        line = word;
        lineUnits = units(word);
      }
    }
    if (line || lines.length === 0) lines.push(line);
    return lines;
  }

  private readonly spaceKerning = new Map<PDFFont, Map<string, number>>();

  /** Kerning between `ch` and a following space, font units. */
  private kernBeforeSpace(font: PDFFont, ch: string): number {
    let byChar = this.spaceKerning.get(font);
    if (!byChar) this.spaceKerning.set(font, (byChar = new Map()));
    let k = byChar.get(ch);
    if (k === undefined) {
      k = font.widthOfTextAtSize(`${ch} `, 1000) - font.widthOfTextAtSize(ch, 1000) - font.widthOfTextAtSize(' ', 1000);
      byChar.set(ch, k);
    }
    return k;
  }

  /** The font each page is set to (pdf-lib keeps it per page). */
  private readonly pageFont = new WeakMap<PDFPage, PDFFont>();

  /**
   * Draws one line of text in `font`. pdf-lib's `drawText({ font })` adds the font to
   * the page's resources under a new name on every call, and again to restore the
   * previous font: the flagship report carried about 1,000 font entries (up to 170 on
   * a page, 40 % of the file; each new name is checked against all the page's names).
   * The page font is set only when it changes.
   */
  text(page: PDFPage, text: string, opts: { x: number; y: number; size: number; font: PDFFont; color: RGB }): void {
    if (this.pageFont.get(page) !== opts.font) {
      page.setFont(opts.font);
      this.pageFont.set(page, opts.font);
    }
    page.drawText(text, { x: opts.x, y: opts.y, size: opts.size, color: opts.color });
  }

  heading(text: string, level: 1 | 2 | 3 = 2): void {
    const size = level === 1 ? 18 : level === 2 ? 13 : 10.5;
    this.ensure(size * 2.5 + 40); // keep a heading with the first lines under it
    this.y -= level === 1 ? size : size * 1.4;
    this.text(this.page, this.clean(text), { x: PAGE.margin, y: this.y, size, font: this.bold, color: level === 1 ? INK.accent : INK.text });
    this.y -= size * 0.6;
  }

  /** A wrapped paragraph. */
  paragraph(text: string, opts: { size?: number; color?: RGB; indent?: number; bold?: boolean } = {}): void {
    const size = opts.size ?? 9.5;
    const indent = opts.indent ?? 0;
    const font = opts.bold ? this.bold : this.regular;
    for (const line of this.wrap(text, this.width - indent, font, size)) {
      this.ensure(size * 1.35);
      this.y -= size * 1.35;
      this.text(this.page, line, { x: PAGE.margin + indent, y: this.y, size, font, color: opts.color ?? INK.text });
    }
    this.y -= size * 0.4;
  }

  /** A bulleted list of wrapped items. */
  bullets(items: string[], size = 9.5): void {
    for (const item of items) {
      this.ensure(size * 1.35);
      this.text(this.page, '-', { x: PAGE.margin + 4, y: this.y - size * 1.35, size, font: this.regular, color: INK.muted });
      this.paragraph(item, { size, indent: 14 });
      this.y += size * 0.4;
    }
    this.y -= size * 0.4;
  }

  gap(points: number): void {
    this.y -= points;
  }

  /** A table with a shaded header row, repeated on every page it spans. */
  table(columns: Column[], rows: string[][], opts: { size?: number; color?: CellColor } = {}): void {
    const size = opts.size ?? 8.5;
    const pad = 3;
    const lead = size * 1.25;
    const widths = columns.map((c) => c.width * this.width);
    // A cell never grows past a page: longer text is cut with an ellipsis.
    const maxLines = Math.floor((PAGE.height - 2 * PAGE.margin - 60) / lead);
    const layout = (cells: string[], font: PDFFont): string[][] =>
      cells.map((c, i) => {
        const lines = this.wrap(c, widths[i] - 2 * pad, font, size);
        return lines.length <= maxLines ? lines : [...lines.slice(0, maxLines - 1), '...'];
      });
    const drawRow = (lines: string[][], font: PDFFont, fill?: RGB, colorOf?: (col: number) => RGB | undefined): void => {
      const h = Math.max(...lines.map((l) => l.length)) * lead + 2 * pad;
      if (fill) this.page.drawRectangle({ x: PAGE.margin, y: this.y - h, width: this.width, height: h, color: fill });
      let x = PAGE.margin;
      lines.forEach((cell, i) => {
        cell.forEach((line, k) => {
          const w = font.widthOfTextAtSize(line, size);
          const tx = columns[i].align === 'right' ? x + widths[i] - pad - w : x + pad;
          this.text(this.page, line, { x: tx, y: this.y - pad - (k + 1) * lead + size * 0.25, size, font, color: colorOf?.(i) ?? INK.text });
        });
        x += widths[i];
      });
      this.y -= h;
      this.page.drawLine({ start: { x: PAGE.margin, y: this.y }, end: { x: PAGE.margin + this.width, y: this.y }, thickness: 0.4, color: INK.rule });
    };
    const header = layout(columns.map((c) => c.header), this.bold);
    const headerHeight = Math.max(...header.map((l) => l.length)) * lead + 2 * pad;
    this.ensure(headerHeight + lead + 2 * pad);
    drawRow(header, this.bold, INK.header);
    rows.forEach((row, r) => {
      const lines = layout(row, this.regular);
      const h = Math.max(...lines.map((l) => l.length)) * lead + 2 * pad;
      if (this.y - h < PAGE.margin + 14) {
        this.newPage();
        drawRow(header, this.bold, INK.header);
      }
      drawRow(lines, this.regular, undefined, (c) => opts.color?.(r, c));
    });
    this.y -= 8;
  }

  /** (key, value) rows two pairs to a line, to keep long records compact. */
  pairs(rows: string[][], headers: [string, string] = ['Item', 'Value']): void {
    const cols: Column[] = [
      { header: headers[0], width: 0.3 },
      { header: headers[1], width: 0.2 },
      { header: headers[0], width: 0.3 },
      { header: headers[1], width: 0.2 },
    ];
    const lines: string[][] = [];
    for (let i = 0; i < rows.length; i += 2) lines.push([...rows[i], ...(rows[i + 1] ?? ['', ''])]);
    this.table(cols, lines);
  }

  /** Reserves a block of `height` points (starting a page if needed) and returns its box. */
  reserve(height: number): { page: PDFPage; x: number; y: number; width: number; height: number } {
    this.ensure(height);
    this.y -= height;
    return { page: this.page, x: PAGE.margin, y: this.y, width: this.width, height };
  }

  /** Writes "left ... page n of N" at the foot of every page. */
  footer(left: string): void {
    const pages = this.doc.getPages();
    const text = this.clean(left);
    pages.forEach((p, i) => {
      const right = `page ${i + 1} of ${pages.length}`;
      const w = this.regular.widthOfTextAtSize(right, 7.5);
      this.text(p, text, { x: PAGE.margin, y: PAGE.margin / 2, size: 7.5, font: this.regular, color: INK.muted });
      this.text(p, right, { x: PAGE.width - PAGE.margin - w, y: PAGE.margin / 2, size: 7.5, font: this.regular, color: INK.muted });
    });
  }
}
