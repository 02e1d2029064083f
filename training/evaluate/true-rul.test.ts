import { describe, expect, it } from 'vitest';
import { parseTrueRul, trueRulOf } from './true-rul.js';

describe('true RUL file', () => {
  it('reads C-MAPSS RUL_FD00x.txt style (one value per line, trailing spaces) in entity order', () => {
    const rul = parseTrueRul('112 \n98\n\n69 \n');
    expect(trueRulOf(['1', '2', '3'], rul)).toEqual([112, 98, 69]);
  });

  it('reads `entity rul` lines by name, whatever their order', () => {
    const rul = parseTrueRul('b,7\na 3\n');
    expect(trueRulOf(['a', 'b'], rul)).toEqual([3, 7]);
    expect(() => trueRulOf(['a', 'c'], rul)).toThrow(/no value for 1 entity: c/);
  });

  it('names the problem: count mismatch, bad value, mixed formats, empty', () => {
    expect(() => trueRulOf(['1', '2', '3'], parseTrueRul('1\n2\n'))).toThrow(/2 values but the CSV has 3 entities/);
    expect(() => parseTrueRul('1\nx\n', 'RUL.txt')).toThrow(/RUL.txt line 2: "x" is not a RUL >= 0/);
    expect(() => parseTrueRul('1\n-4\n')).toThrow(/line 2/);
    expect(() => parseTrueRul('1\na 2\n')).toThrow(/mixes/);
    expect(() => parseTrueRul('\n \n')).toThrow(/no RUL value/);
  });
});
