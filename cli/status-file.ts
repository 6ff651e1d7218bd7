/** Where `portico dev` writes the current status (in its state directory) for `portico status`. */
export const STATUS_FILE = 'status.yaml';
