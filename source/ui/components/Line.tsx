/**
 * One line of the screen: styled segments in a single `<Text>` that truncates at the box width, so
 * a line never wraps and the frame height stays what the layout computed.
 */
import { Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';
import type { Tone } from '../theme.js';

/** A styled run of text. Plain strings are unstyled segments. */
export interface Seg {
  text: string;
  tone?: Tone;
  bold?: boolean;
  inverse?: boolean;
  underline?: boolean;
}

/** Props of {@link Line}. */
export interface LineProps {
  segs: ReadonlyArray<Seg | string | null | false>;
}

/** Renders one non-wrapping line; an empty line renders as one space so it keeps its row. */
export function Line({ segs }: LineProps) {
  const theme = useTheme();
  const parts = segs.filter(
    (s): s is Seg | string =>
      s !== null && s !== false && (typeof s === 'string' ? s.length > 0 : s.text.length > 0),
  );
  if (parts.length === 0) return <Text> </Text>;
  return (
    <Text wrap="truncate-end">
      {parts.map((s, i) =>
        typeof s === 'string' ? (
          s
        ) : (
          <Text
            key={i}
            color={theme.fg(s.tone ?? 'plain')}
            bold={s.bold}
            inverse={s.inverse}
            underline={s.underline}
          >
            {s.text}
          </Text>
        ),
      )}
    </Text>
  );
}
