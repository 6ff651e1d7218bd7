import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { translate } from '#core/translate/translate.js';
import { checkGolden, loadGoldenCases, toGoldenYaml } from '#test/support/golden.js';

const dir = join(import.meta.dirname, 'translate');
const cases = loadGoldenCases(dir);

describe('golden: translate', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const c of cases) {
    it(c.name, () => {
      const result = translate(c.documents, c.options);
      const { expected, actual } = checkGolden(c.outPath, toGoldenYaml(result));
      expect(actual).toBe(expected);
    });
  }
});
