// `--zone`: the zone this HAProxy runs in, as nodes carry it in `topology.kubernetes.io/zone` (a
// Kubernetes label value), so that it can equal the zone of EndpointSlice endpoints.

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** The zone, or a RangeError naming the rule it breaks. */
export function parseZoneFlag(value: string): string {
  if (!LABEL_VALUE.test(value))
    throw new RangeError(
      `--zone takes a zone as nodes name it in topology.kubernetes.io/zone (1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit), got ${JSON.stringify(value)}`,
    );
  return value;
}
