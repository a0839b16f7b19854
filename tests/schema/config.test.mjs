// Every example configuration file validates against docs/config.schema.json (the schema
// editors use through yaml-language-server's `$schema` comment): the starter file that
// `kubeharden config init` writes, tests/config/examples, the custom-rule fixtures'
// configurations and each ```yaml block of docs/config.md and docs/ci.md that is a
// configuration file; and mistakes the loader refuses are refused by the schema too.
// Run with `node --test tests/schema/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const schema = JSON.parse(readFileSync(join(root, 'docs', 'config.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

// kubeharden reads YAML 1.1 (`off` is false), as kubectl does.
const load = (text) => YAML.parse(text, { version: '1.1' });

function yamlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return p.endsWith('.yaml') ? [p] : [];
  });
}

function assertValid(text, what) {
  const ok = validate(load(text));
  assert.ok(ok, `${what}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
}

test('every example configuration validates', () => {
  const files = [
    join(root, 'docs', 'config-starter.yaml'),
    ...yamlFiles(join(root, 'tests', 'config', 'examples')),
    ...yamlFiles(join(root, 'tests', 'config', 'custom-rules')).filter((p) => p.endsWith('config.yaml')),
  ];
  assert.ok(files.length >= 6, files.join(', '));
  for (const f of files) assertValid(readFileSync(f, 'utf8'), relative(root, f));
});

test('the configuration blocks of the docs validate', () => {
  let blocks = 0;
  for (const doc of ['config.md', 'ci.md']) {
    const text = readFileSync(join(root, 'docs', doc), 'utf8');
    // A block whose first line is `# .kubeharden.yaml` is a configuration file.
    for (const m of text.matchAll(/```yaml\n(# \.kubeharden\.yaml[^\n]*\n[\s\S]*?)```/g)) {
      assertValid(m[1], `${doc} block ${++blocks}`);
    }
  }
  assert.ok(blocks >= 3, `only ${blocks} configuration blocks found`);
});

test('mistakes are refused', () => {
  for (const bad of [
    'profile: strict\n',
    'kube-version: 1.30\n',
    'profil: all\n',
    'rules:\n  cpu-limits: maybe\n',
    'rules:\n  cpu-limits: {enabeld: false}\n',
    'rules:\n  area:updates: {params: {}}\n',
    'exemptions:\n  - rule: host-namespaces\n    objects: [{kind: DaemonSet}]\n',
    'exemptions:\n  - rule: host-namespaces\n    reason: no objects or paths\n',
    'exemptions:\n  - {rule: host-namespaces, paths: [a], reason: "  "}\n',
    'exclude: charts\n',
    'custom-rules:\n  - {id: x, template: no-such-template}\n',
  ]) {
    assert.equal(validate(load(bad)), false, `accepted: ${bad}`);
  }
});
