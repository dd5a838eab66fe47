/**
 * Per-thread figures of this process from Linux /proc (tests only).
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Nice value of every thread of this process, by thread id: field 19 of /proc/self/task/TID/stat
 * (the kernel's figure per thread). Linux only; throws elsewhere (no /proc).
 */
export function threadNice(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(tid), Number(fields[16]));
  }
  return out;
}
