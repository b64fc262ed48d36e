/**
 * Live terminal view of a run: one line per stage change and decision, and on a TTY a
 * live block at the bottom with a bar per stage in flight and an overall bar with the ETA.
 */
import type { RunEvent } from '../graph/index.ts';

const BAR = 24;

function bar(pct: number): string {
  const n = Math.round((Math.max(0, Math.min(100, pct)) / 100) * BAR);
  return `[${'#'.repeat(n)}${'-'.repeat(BAR - n)}]`;
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * On a TTY the bottom of the screen holds a live block: a bar per stage in flight and
 * an overall bar with the ETA, redrawn in place; permanent lines print above it.
 */
export class RunRenderer {
  private readonly tty: boolean;
  private readonly active = new Map<string, { pct: number; note?: string }>();
  private overall?: { pct: number; etaMs: number };
  private drawn = 0;
  private lastPlainPct = -25;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    this.tty = Boolean(out.isTTY);
  }

  private clearBlock(): void {
    if (!this.tty || this.drawn === 0) return;
    this.out.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private drawBlock(): void {
    if (!this.tty) return;
    const lines = [...this.active].map(([stage, s]) => `  ${bar(s.pct)} ${s.pct.toFixed(0).padStart(3)}%  ${stage}${s.note ? `  ${s.note}` : ''}`);
    if (this.overall) lines.push(`${bar(this.overall.pct)} ${this.overall.pct.toFixed(0).padStart(3)}%  overall  ETA ${seconds(this.overall.etaMs)}`);
    const width = this.out.columns ?? 120;
    for (const l of lines) this.out.write(`${l.slice(0, width - 1)}\n`);
    this.drawn = lines.length;
  }

  private line(text: string): void {
    this.clearBlock();
    this.out.write(`${text}\n`);
    this.drawBlock();
  }

  private redraw(): void {
    this.clearBlock();
    this.drawBlock();
  }

  done(): void {
    this.clearBlock();
    this.active.clear();
    this.overall = undefined;
  }

  handle(e: RunEvent): void {
    switch (e.type) {
      case 'workflow.started':
        this.line(`run ${e.runId} started (${e.payload.workflowId})`);
        return;
      case 'workflow.stage_changed': {
        const p = e.payload;
        if (p.change === 'started') {
          if (!this.active.has(p.stage)) this.active.set(p.stage, { pct: 0 });
          if (p.attempt && p.attempt > 1) this.line(`  > ${p.stage} (attempt ${p.attempt})`);
          else this.redraw();
        } else if (p.change === 'completed') {
          this.active.delete(p.stage);
          this.line(`  ✓ ${p.stage} ${p.durationMs ?? 0} ms`);
        } else if (p.change !== 'step') this.active.delete(p.stage);
        if (p.change === 'completed' || p.change === 'started' || p.change === 'step') return;
        if (p.change === 'failed') this.line(`  ✗ ${p.stage}: [${p.error?.code}] ${p.error?.message}`);
        else if (p.change === 'skipped') this.line(`  ~ ${p.stage} skipped: [${p.error?.code}] ${p.error?.message}`);
        else if (p.change === 'compensated') this.line(`  ↶ ${p.stage} compensated`);
        return;
      }
      case 'workflow.progress_updated': {
        const p = e.payload;
        this.overall = { pct: p.progressPct, etaMs: p.etaMs };
        if (this.active.has(p.stage)) this.active.set(p.stage, { pct: p.stagePct, note: p.note });
        if (this.tty) this.redraw();
        else if (p.progressPct - this.lastPlainPct >= 25 || p.progressPct >= 100) {
          this.lastPlainPct = p.progressPct;
          this.line(`${bar(p.progressPct)} ${p.progressPct.toFixed(0).padStart(3)}%  ${p.stage} ${p.stagePct.toFixed(0)}%${p.note ? ` ${p.note}` : ''}  ETA ${seconds(p.etaMs)}`);
        }
        return;
      }
      case 'workflow.decision_made': {
        const d = e.payload.decision;
        this.line(`  ◆ ${d.point} -> ${d.chosen} (${d.method}, confidence ${d.confidence.toFixed(2)})${e.payload.reused ? ' [recalled]' : ''}`);
        this.line(`      ${d.explanation}`);
        const lost = d.alternatives.slice(0, 3).map((a) => `${a.option}: ${a.reason}`);
        for (const l of lost) this.line(`      - ${l}`);
        return;
      }
      case 'workflow.timeout_warning':
        this.line(`  ! ${e.payload.stage} has used 80 % of its ${e.payload.timeoutMs} ms timeout`);
        return;
      case 'workflow.error':
        if (e.payload.willRetry) this.line(`  ! ${e.payload.stage} failed, retrying: [${e.payload.error.code}] ${e.payload.error.message}`);
        return;
      case 'workflow.paused':
        this.done();
        this.line(e.payload.reason === 'input' ? `run waits for input: ${JSON.stringify(e.payload.question)}` : `run paused (${e.payload.reason}); next: ${e.payload.next.join(', ')}`);
        return;
      case 'workflow.resumed':
        this.line(`run resumed (${e.payload.from})`);
        return;
      case 'workflow.completed':
        this.done();
        this.line(`run completed in ${seconds(e.payload.durationMs)}${e.payload.degraded ? ' (degraded)' : ''}`);
        for (const w of e.payload.warnings) this.line(`  warning: ${w}`);
        return;
      case 'workflow.failed':
        this.done();
        this.line(`run failed${e.payload.stage ? ` in ${e.payload.stage}` : ''}: [${e.payload.error.code}] ${e.payload.error.message}`);
        return;
      case 'workflow.aborted':
        this.done();
        this.line(`run aborted: ${e.payload.reason}`);
        return;
      case 'workflow.custom':
        return;
    }
  }
}
