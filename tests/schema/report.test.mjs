// The JSON report of real runs validates against docs/report.schema.json: fixtures,
// the shared corpora, a bundle with a related location in another file, standard input
// with a broken document, and an unreadable file. Run with `node --test tests/schema/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'target', 'debug', 'kubeharden');
const schema = JSON.parse(readFileSync(join(root, 'docs', 'report.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

function report(args, input) {
  let out;
  try {
    out = execFileSync(bin, ['check', '--format', 'json', ...args], {
      cwd: root, input: input ?? '', maxBuffer: 1 << 30,
    });
  } catch (e) {
    // Exit 1 (findings) and 2 (input errors) still write a report.
    assert.ok(e.status === 1 || e.status === 2, `exit ${e.status}: ${e.stderr}`);
    out = e.stdout;
  }
  return JSON.parse(out.toString('utf8'));
}

function assertValid(r, what) {
  const ok = validate(r);
  assert.ok(ok, `${what}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
}

test('fixtures and the shared corpora validate', () => {
  const fixtures = report(['tests/fixtures', 'tests/data']);
  assertValid(fixtures, 'fixtures');
  assert.ok(fixtures.findings.length > 100);
  assert.ok(fixtures.findings.some((f) => f.fix && f.fix.edits.length > 0));
  const corpus = join(root, '..', 'shared', 'corpus');
  if (existsSync(corpus) || process.env.KUBEHARDEN_REQUIRE_CORPUS) {
    const r = report([corpus]);
    assertValid(r, 'corpus');
    assert.ok(r.findings.length > 1000);
    // Ids are unique within a report.
    assert.equal(new Set(r.findings.map((f) => f.id)).size, r.findings.length);
  }
});

test('a related location in another file, stdin errors and unreadable files validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeharden-schema-'));
  writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s, namespace: x}\n');
  writeFileSync(join(dir, 'b.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s, namespace: x}\n');
  writeFileSync(join(dir, 'c.yaml'), Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
  const r = report([join(dir, 'a.yaml'), join(dir, 'b.yaml'), join(dir, 'c.yaml')]);
  assertValid(r, 'bundle');
  const dup = r.findings.find((f) => f.rule === 'duplicate-object');
  assert.equal(dup.related[0].file, join(dir, 'a.yaml'));
  assert.equal(r.errors.length, 1);
  const stdin = report(['-'], 'a: [1\n---\napiVersion: v1\nkind: Pod\nspec: {hostPID: true, containers: []}\n');
  assertValid(stdin, 'stdin');
  assert.equal(stdin.errors[0].file, '<stdin>');
  assert.equal(stdin.errors[0].document, 1);
  assertValid(report(['-'], ''), 'empty input');
});

test('the schema rejects what version 2 does not allow', () => {
  const r = report(['-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: nginx, securityContext: {privileged: true}}\n');
  assertValid(r, 'pod');
  const broken = structuredClone(r);
  broken.findings[0].fix = 'unsafe'; // the version 1 shape
  assert.equal(validate(broken), false);
  const extra = structuredClone(r);
  extra.findings[0].surprise = true;
  assert.equal(validate(extra), false);
});

test('summary.target validates for every support status; a guessed date does not', () => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: nginx}\n';
  for (const [version, today, status] of [
    ['1.25', '2026-12-01', 'end-of-life'], ['1.25', '2023-09-01', 'maintenance'], ['1.35', '2026-12-01', 'supported'],
    ['1.33', '2026-12-01', 'end-of-life'], ['1.36', '2026-12-01', 'unknown'], ['latest', '2026-12-01', 'unknown'],
    ['1.25', '2022-01-01', 'not-released'],
  ]) {
    const r = report(['--kube-version', version, '--today', today, '-'], pod);
    assertValid(r, `${version} on ${today}`);
    assert.equal(r.summary.target.status, status, `${version} on ${today}`);
  }
  const r = report(['--kube-version', '1.36', '--today', '2026-12-01', '-'], pod);
  const guessed = structuredClone(r);
  guessed.summary.target.end_of_life = 'about 2026-02';
  assert.equal(validate(guessed), false);
});
