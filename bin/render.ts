/**
 * Live terminal view of a run: one line per stage change and decision, and on a TTY a
 * status line redrawn in place with a progress bar and the ETA.
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

export class RunRenderer {
  private status = '';
  private readonly tty: boolean;
  private lastPlainPct = -25;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    this.tty = Boolean(out.isTTY);
  }

  private line(text: string): void {
    if (this.tty && this.status) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
    if (this.tty && this.status) this.out.write(this.status);
  }

  private setStatus(text: string): void {
    this.status = text;
    if (this.tty) this.out.write(`\r\x1b[2K${text}`);
  }

  done(): void {
    if (this.tty && this.status) this.out.write('\r\x1b[2K');
    this.status = '';
  }

  handle(e: RunEvent): void {
    switch (e.type) {
      case 'workflow.started':
        this.line(`run ${e.runId} started (${e.payload.workflowId})`);
        return;
      case 'workflow.stage_changed': {
        const p = e.payload;
        if (p.change === 'started') this.line(`  > ${p.stage}${p.attempt && p.attempt > 1 ? ` (attempt ${p.attempt})` : ''}`);
        else if (p.change === 'completed') this.line(`  ✓ ${p.stage} ${p.durationMs ?? 0} ms`);
        else if (p.change === 'failed') this.line(`  ✗ ${p.stage}: [${p.error?.code}] ${p.error?.message}`);
        else if (p.change === 'skipped') this.line(`  ~ ${p.stage} skipped: [${p.error?.code}] ${p.error?.message}`);
        else if (p.change === 'compensated') this.line(`  ↶ ${p.stage} compensated`);
        return;
      }
      case 'workflow.progress_updated': {
        const p = e.payload;
        const text = `${bar(p.progressPct)} ${p.progressPct.toFixed(0).padStart(3)}%  ${p.stage} ${p.stagePct.toFixed(0)}%${p.note ? ` ${p.note}` : ''}  ETA ${seconds(p.etaMs)}`;
        if (this.tty) this.setStatus(text);
        else if (p.progressPct - this.lastPlainPct >= 25 || p.progressPct >= 100) {
          this.lastPlainPct = p.progressPct;
          this.line(text);
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
