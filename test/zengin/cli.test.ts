import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandIo } from '../../src/cli/command-line.ts';
import { zenginCommand } from '../../src/modules/zengin/cli.ts';
import { runProcess, type CliRun } from '../helpers/run-command.ts';
import { fixturesDir } from './support.ts';

/**
 * `npm run -s zengin -- check FILE --json`, the interface the bank's tooling relies on (R8.4):
 * exit 0 when valid, 1 when not, 2 on a usage error, and one JSON object of exactly these keys.
 * Run in this process (the function the command's process runs); once as a process of its own,
 * started as package.json starts it, for the exit status a shell sees.
 */
let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'zengin-cli-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

async function run(args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = { env: {}, stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) };
  const code = await zenginCommand(args, io);
  return { code, stdout, stderr };
}

const keys = ['valid', 'kind', 'batches', 'count', 'total', 'amounts', 'errors'];

test('a valid file: exit 0 and exactly the agreed JSON', async () => {
  const result = await run(['check', fixturesDir + 'kyash-sample.txt', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout);
  assert.deepEqual(Object.keys(json), keys);
  assert.deepEqual(json, { valid: true, kind: 21, batches: 1, count: 3, total: 6, amounts: [1, 2, 3], errors: [] });
  assert.equal(result.stdout.split('\n').length, 2, 'one line of JSON');
});

test('an invalid file: exit 1, every problem with its record, field and English message', async () => {
  const result = await run(['check', fixturesDir + 'devture-multi-transaction.txt', '--json']);
  assert.equal(result.code, 1);
  assert.deepEqual(JSON.parse(result.stdout), {
    valid: false,
    kind: 21,
    batches: 1,
    count: 2,
    total: 1_702_961,
    amounts: [1_103_661, 599_300],
    errors: [{ record: 2, field: 'beneficiaryName', message: 'Characters outside the Zengin character set: "ｰ".' }],
  });

  const missingEnd = join(work, 'no-end.txt');
  const bytes = readFileSync(fixturesDir + 'devture-empty.txt');
  writeFileSync(missingEnd, bytes.subarray(0, 244));
  const noEnd = await run(['check', missingEnd, '--json']);
  assert.equal(noEnd.code, 1);
  assert.deepEqual(JSON.parse(noEnd.stdout).errors, [{ record: null, field: 'file', message: 'There is no end record (data kind 9).' }]);

  const empty = join(work, 'empty.txt');
  writeFileSync(empty, '');
  assert.deepEqual(JSON.parse((await run(['check', empty, '--json'])).stdout), {
    valid: false, kind: null, batches: 0, count: 0, total: 0, amounts: [], errors: [{ record: null, field: 'file', message: 'The file is empty (0 bytes).' }],
  });
});

test('the text output names each problem with its record and field', async () => {
  const result = await run(['check', fixturesDir + 'zengin4j-sougou-furikomi.txt']);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /NOT valid — 2 problem\(s\); 総合振込 \(21\), 1 batch\(es\), 2 record\(s\), total 115,015 yen/);
  assert.match(result.stdout, /record 2, beneficiary bank code: There is no bank with code 9891\./);
  const valid = await run(['check', fixturesDir + 'devture-empty.txt']);
  assert.equal(valid.code, 0);
  assert.match(valid.stdout, /valid — 総合振込 \(21\), 1 batch\(es\), 0 record\(s\), total 0 yen\./);
});

test('--lenient turns characters outside the Zengin set into warnings; --own-bank judges the header', async () => {
  const lenient = await run(['check', fixturesDir + 'devture-single-transaction.txt', '--json', '--lenient']);
  assert.equal(lenient.code, 0);
  const json = JSON.parse(lenient.stdout);
  assert.deepEqual(json.errors, []);
  assert.deepEqual(json.warnings, [{ record: 2, field: 'beneficiaryName', message: 'Characters outside the Zengin character set: "ｰ".' }]);

  const other = await run(['check', fixturesDir + 'kyash-sample.txt', '--json', '--own-bank', '0999']);
  assert.equal(other.code, 1);
  assert.deepEqual(JSON.parse(other.stdout).errors, [{ record: 1, field: 'originBankCode', message: 'The bank code 9999 is not this bank\'s (0999).' }]);
  assert.equal((await run(['check', fixturesDir + 'kyash-sample.txt', '--own-bank', '9999', '--own-branches', '010,020'])).code, 0);
});

test('usage errors exit 2: no file, an unreadable file, an unknown option, an unknown command, a bad option value', async () => {
  const noFile = await run(['check', '--json']);
  assert.equal(noFile.code, 2);
  assert.deepEqual(JSON.parse(noFile.stdout), { error: 'check needs a file' });

  const unreadable = await run(['check', join(work, 'missing.txt'), '--json']);
  assert.equal(unreadable.code, 2);
  assert.deepEqual(JSON.parse(unreadable.stdout), { error: `cannot read ${join(work, 'missing.txt')}: ENOENT` });
  assert.equal((await run(['check', work])).code, 2, 'a folder');

  const unknownOption = await run(['check', fixturesDir + 'kyash-sample.txt', '--strict']);
  assert.equal(unknownOption.code, 2);
  assert.match(unknownOption.stderr, /Unknown option '--strict'/);

  assert.equal((await run(['verify', fixturesDir + 'kyash-sample.txt'])).code, 2);
  assert.equal((await run([])).code, 2);
  assert.equal((await run(['check', fixturesDir + 'kyash-sample.txt', '--own-bank', '12'])).code, 2);
  assert.equal((await run(['check', fixturesDir + 'kyash-sample.txt', '--own-branches', '010'])).code, 2);
  assert.equal((await run(['--help'])).code, 0);
});

test('as a process started as package.json starts it: the exit status and the JSON a shell sees', async () => {
  const scripts = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts as Record<string, string>;
  const [node, ...args] = scripts.zengin!.split(' ');
  assert.equal(node, 'node');
  // One process is enough: every exit status comes back through the same line of the command's file.
  const result = await runProcess(process.execPath, [...args, 'check', fixturesDir + 'devture-single-transaction.txt', '--json'], process.env);
  assert.equal(result.code, 1, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), {
    valid: false,
    kind: 21,
    batches: 1,
    count: 1,
    total: 1_103_661,
    amounts: [1_103_661],
    errors: [{ record: 2, field: 'beneficiaryName', message: 'Characters outside the Zengin character set: "ｰ".' }],
  });
});
