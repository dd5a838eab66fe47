/**
 * The glyph legend in one line (drawn under the grid when the screen has room; otherwise the `?`
 * overlay starts with it, one key away). Glyphs come from {@link GLYPH_LEGEND}, so they are the grid's.
 */
import { legendLine } from '../format.js';
import { Line } from './Line.js';

/** Renders the legend line. */
export function Legend() {
  return <Line segs={[{ text: legendLine(), tone: 'dim' }]} />;
}
