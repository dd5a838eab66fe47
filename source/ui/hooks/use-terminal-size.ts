/**
 * The terminal size from Ink's stdout (`columns` x `rows`), updated on `resize`. Streams without a
 * size (pipes, tests) count as 80x24.
 */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

/** Terminal size in character cells. */
export interface TerminalSize {
  columns: number;
  rows: number;
}

/** Current terminal size; re-renders on resize. */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState<TerminalSize>(read);
  useEffect(() => {
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    onResize();
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout]);
  return size;
}
