/** The typed config: defaults, one-line errors naming the variable, secrets, and README coverage. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONFIG_VARIABLES,
  ConfigError,
  describeConfig,
  loadConfig,
  parseEmuFaults,
} from '../../source/config/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

describe('config', () => {
  it('has the defaults of the domain spec', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      R1_MODE: 'prefilter',
      R1_PREFILTER_PCT: 20,
      AUDIT_SAMPLE_N: 50,
      R1_TH: 50,
      R2_TH: 50,
      R3_TH: 50,
      R4_TH: 300,
      PM_START: '04:00:00',
      PM_END: '09:30:00',
      ALLOWED_EXCHANGES: ['NYSE', 'NASDAQ', 'AMEX'],
      EXCLUDE_DERIVATIVES: true,
      ALLOW_SECURITY_TYPES: ['CS', 'ADRC', 'ADRP', 'ADRR', 'ADRW', 'GDR'],
      DISCOVERY_MIN_VOL: 100000,
      MISS_AUDIT_TOP_N: 150,
      MISS_AUDIT_THETA: true,
      THETA_V3_MAX_OUTSTANDING: 4,
      THETA_V1_MAX_OUTSTANDING: 4,
      THETA_MAX_472_LOGS: 3,
      THETA_TIMEOUT_SEC: 10,
    });
  });

  it('parses values and lets overrides win', () => {
    const c = loadConfig(
      { R1_MODE: 'exhaustive', EXCLUDE_DERIVATIVES: 'false', ALLOWED_EXCHANGES: 'nyse, nasdaq' },
      { R1_TH: '60' },
    );
    expect(c.R1_MODE).toBe('exhaustive');
    expect(c.EXCLUDE_DERIVATIVES).toBe(false);
    expect(c.ALLOWED_EXCHANGES).toEqual(['NYSE', 'NASDAQ']);
    expect(c.R1_TH).toBe(60);
  });

  it.each([
    ['R1_MODE', 'sometimes', /R1_MODE="sometimes" is invalid: expected prefilter or exhaustive/],
    [
      'THETA_V3_MAX_OUTSTANDING',
      '0',
      /THETA_V3_MAX_OUTSTANDING="0" is invalid: expected an integer 1-64/,
    ],
    ['ALLOWED_EXCHANGES', 'NYSE,OTC', /ALLOWED_EXCHANGES="NYSE,OTC" is invalid/],
    ['PM_START', '4am', /PM_START="4am" is invalid: expected HH:MM:SS/],
    ['POLYGON_BASE_URL', 'not a url', /POLYGON_BASE_URL="not a url" is invalid/],
  ])('a bad %s is a one-line ConfigError naming it', (name, value, re) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).not.toContain('\n');
  });

  it('never shows secrets', () => {
    const lines = describeConfig(
      loadConfig({ POLYGON_API_KEY: 'secret-polygon-key', FMP_API_KEY: '' }),
    );
    expect(lines).toContain('POLYGON_API_KEY=<set, redacted>');
    expect(lines).toContain('FMP_API_KEY=<unset>');
    expect(lines.join('\n')).not.toContain('secret-polygon-key');
  });

  it('parses EMU_FAULTS', () => {
    expect(parseEmuFaults('none')).toEqual({});
    expect(
      parseEmuFaults(loadConfig({ EMU_FAULTS: 'theta429=0.05,thetaOutage' }).EMU_FAULTS),
    ).toEqual({ theta429: 0.05, thetaOutage: true });
  });

  it('the README documents every configuration variable', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    for (const name of Object.keys(CONFIG_VARIABLES)) expect(readme, name).toContain(`\`${name}\``);
  });
});
