/**
 * Alert banner (1 line): the unacknowledged alert on screen (CRITICAL first, then newest), with a
 * severity prefix that works without colour (`!` CRITICAL, `*` WARNING, `i` INFO), how many more
 * wait, and the keys to acknowledge and go to its day.
 */
import type { AlertInfo } from '../../contracts/events.js';
import { alertTone } from '../theme.js';
import { truncate } from '../format.js';
import { Line } from './Line.js';

/** Props of {@link AlertBanner}. */
export interface AlertBannerProps {
  alert: AlertInfo;
  more: number;
  focused: boolean;
  columns: number;
  readOnly: boolean;
}

/** Monochrome prefix of a severity. */
export function severityPrefix(sev: AlertInfo['severity']): string {
  return sev === 'CRITICAL' ? '!' : sev === 'WARNING' ? '*' : 'i';
}

/** Renders the banner. */
export function AlertBanner({ alert, more, focused, columns, readOnly }: AlertBannerProps) {
  const head = `${focused ? '»' : ' '}${severityPrefix(alert.severity)} ${alert.severity} ${alert.date ?? ''} `;
  const hint = `${more > 0 ? `  (+${more} more)` : ''}  ${readOnly ? '' : '[a]ck '}${alert.date ? '[tab][enter] go' : ''}`;
  const room = Math.max(10, columns - head.length - hint.length);
  return (
    <Line
      segs={[
        {
          text: head,
          tone: alertTone(alert.severity),
          bold: true,
          inverse: alert.severity === 'CRITICAL',
        },
        { text: ' ' + truncate(alert.message, room - 1), tone: alertTone(alert.severity) },
        { text: hint, tone: 'dim' },
      ]}
    />
  );
}
