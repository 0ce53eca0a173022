// Sources too long to keep in a case file (`-- @generate NAME ARG...`): put before the case's own
// source. Each is valid Lua that luac5.3 compiles.

export const generators = {
  /** `local x = 1+1+…` with n terms. */
  sum: (n) => `local x = ${Array(Number(n)).fill('1').join('+')}`,
  /** `local x = "a".."a"..…` with n terms. */
  concat: (n) => `local x = ${Array(Number(n)).fill('"a"').join('..')}`,
  /** `local x = true and true or …` with n terms. */
  logic: (n) => `local x = ${Array.from({ length: Number(n) }, (_, i) => (i % 2 ? 'false' : 'true')).join(' and ')} or 1`,
  /** `local x = ((((1))))` nested n deep. */
  parens: (n) => `local x = ${'('.repeat(Number(n))}1${')'.repeat(Number(n))}`,
  /** `local x = {{{…}}}` nested n deep. */
  tables: (n) => `local x = ${'{'.repeat(Number(n))}1${'}'.repeat(Number(n))}`,
  /** An if with n elseif branches. */
  elseif: (n) => {
    const parts = ['local v = 0', 'local x', 'if v == -1 then x = -1'];
    for (let i = 0; i < Number(n); i++) parts.push(`elseif v == ${i} then x = ${i}`);
    parts.push('end');
    return parts.join('\n');
  },
  /** n nested `do` blocks. */
  blocks: (n) => `local x = 0 ${'do '.repeat(Number(n))}x = x + 1 ${'end '.repeat(Number(n))}`,
  /** n nested functions, each calling the next. */
  functions: (n) => `local x = ${'(function() return '.repeat(Number(n))}1${' end)()'.repeat(Number(n))}`,
  /** n statements `local a<i> = i` in blocks of 100 (locals per function are limited). */
  statements: (n) => {
    const out = ['local x = 0'];
    for (let i = 0; i < Number(n); i++) out.push(`${i % 100 === 0 ? (i ? 'end do ' : 'do ') : ''}local a = ${i} x = x + a`);
    out.push('end');
    return out.join('\n');
  },
};
