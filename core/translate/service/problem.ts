/** Something wrong with a Service, found by one of the Service translator's steps; reported on the Service. */
export interface Problem {
  severity: 'error' | 'warning' | 'info';
  code: string;
  field?: string;
  message: string;
}
