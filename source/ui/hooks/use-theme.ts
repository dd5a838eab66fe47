/** The console theme as a React context (one context per concern). */
import { createContext, useContext } from 'react';
import { createTheme, type Theme } from '../theme.js';

/** Theme context; monochrome unless a provider says otherwise. */
export const ThemeContext = createContext<Theme>(createTheme(false));

/** The theme of the nearest provider. */
export function useTheme(): Theme {
  return useContext(ThemeContext);
}
