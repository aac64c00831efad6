// k6 has a console, which @types/k6 leaves to the DOM library; the DOM's other globals (fetch, window)
// do not exist in k6, so the scripts get only this.
declare var console: {
  log(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};
