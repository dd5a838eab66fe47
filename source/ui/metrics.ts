/**
 * Figures of the console for the benchmark note (`GAPCTL_UI_METRICS=<path>`): frames written to the
 * terminal and Ink renders, frames per second, the main (UI) thread's event-loop utilisation, the
 * process CPU time, and the tallest frame. Frames are counted on the terminal stream (a write that
 * carries screen text); Ink's `onRender` counts renders (a render whose output did not change writes
 * nothing). Written as JSON when the console ends.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** The JSON written on exit. Times in seconds or ms as named; ratios 0..1. */
export interface UiMetricsReport {
  /** Wall time the console was up, s. */
  seconds: number;
  /** Writes of screen text to the terminal (frames actually drawn). */
  frames: number;
  /** frames / seconds. */
  fps: number;
  /** Ink renders (onRender calls), drawn or not. */
  renders: number;
  /** Mean Ink render time (layout + output), ms. */
  renderMsMean: number;
  /** Busy share of the main (UI) thread's event loop over the run, ratio 0..1 (perf_hooks). */
  eventLoopUtilization: number;
  /** CPU time of the whole process over the run, ms (process.cpuUsage: every thread, the engine worker included). */
  cpuUserMs: number;
  cpuSystemMs: number;
  /** (cpuUserMs + cpuSystemMs) / wall ms: the process's CPU share, ratio (1 = one core busy). */
  processCpuShare: number;
  /** Most lines of one frame (must be at most rows - 1). */
  maxFrameLines: number;
  rows: number;
  columns: number;
}

/** A running recorder. */
export interface UiMetrics {
  /** Pass to Ink's render options. */
  onRender(m: { renderTime: number }): void;
  /** Restores the stream and writes the report (once); returns it. */
  finish(): UiMetricsReport;
}

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]/g;

/**
 * Starts recording on `stdout` (its `write` is wrapped until {@link UiMetrics.finish}); the report
 * goes to `path`. Errors writing the report are ignored (a benchmark aid must not break the console).
 */
export function startUiMetrics(stdout: NodeJS.WriteStream, path: string): UiMetrics {
  const t0 = performance.now();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  let frames = 0;
  let renders = 0;
  let renderMs = 0;
  let maxFrameLines = 0;
  const original = stdout.write;
  const wrapped = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) {
      const text = (
        typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
      ).replace(ANSI, '');
      if (/\S/.test(text)) {
        frames++;
        const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
        if (lines > maxFrameLines) maxFrameLines = lines;
      }
    }
    return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  };
  stdout.write = wrapped as typeof stdout.write;
  let report: UiMetricsReport | null = null;
  return {
    onRender(m) {
      renders++;
      renderMs += m.renderTime;
    },
    finish() {
      if (report) return report;
      if (stdout.write === (wrapped as typeof stdout.write)) stdout.write = original;
      const seconds = (performance.now() - t0) / 1000;
      const elu = performance.eventLoopUtilization(elu0);
      const cpu = process.cpuUsage(cpu0);
      report = {
        seconds: round(seconds, 3),
        frames,
        fps: round(seconds > 0 ? frames / seconds : 0, 2),
        renders,
        renderMsMean: round(renders > 0 ? renderMs / renders : 0, 3),
        eventLoopUtilization: round(elu.utilization, 4),
        cpuUserMs: round(cpu.user / 1000, 1),
        cpuSystemMs: round(cpu.system / 1000, 1),
        processCpuShare: round(
          seconds > 0 ? (cpu.user + cpu.system) / 1000 / (seconds * 1000) : 0,
          4,
        ),
        maxFrameLines,
        rows: stdout.rows ?? 0,
        columns: stdout.columns ?? 0,
      };
      try {
        writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
      } catch {
        // ignored: see the doc
      }
      return report;
    },
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
