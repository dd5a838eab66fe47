/**
 * Selects React's production build for the console: React and its reconciler pick the development
 * build unless NODE_ENV is `production`, and the development build costs the UI thread more than
 * twice the time per snapshot (user-timing marks, component logging). Imported first by ui/index.tsx,
 * so it runs before `ink` loads `react`. An explicit NODE_ENV (tests set `test`) is left alone.
 */
if (process.env.NODE_ENV === undefined) process.env.NODE_ENV = 'production';

export {};
