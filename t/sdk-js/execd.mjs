// execd.mjs — the official OpenSandbox JavaScript SDK against an execd, as
// TAP lines for t/t9100-sdk-js.sh:
//
//	EXECD_URL=http://127.0.0.1:PORT EXECD_TOKEN=T WORK=DIR node execd.mjs
//
// Every call goes through the SDK's own execd stack (the one Sandbox.connect
// builds once a lifecycle server has named the endpoint and its headers),
// so requests, SSE parsing and result mapping are all the SDK's; what the
// calls leave on disk is checked with node:fs. WORK is an empty scratch
// directory on the execd's host. Prints "ok N - what" or "not ok N - what"
// and the reason, "# TODO why" after a known breakage of the execd, no
// plan; exits 0 unless the script itself broke.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import {
  existsSync, mkdirSync, readFileSync, statSync, writeFileSync,
} from "node:fs";

import {
  ConnectionConfig,
  DefaultAdapterFactory,
  SandboxApiException,
} from "@alibaba-group/opensandbox";

const EXECD_URL = process.env.EXECD_URL;
const TOKEN = process.env.EXECD_TOKEN;
const W = process.env.WORK;
const POLL_MS = 50;
const POLL_LIMIT_MS = 10000;

let testCount = 0;

// Runs one check and prints its TAP line; a failure's reason follows as
// "#" lines. With todo, the check is a known breakage.
async function test(what, fn, todo) {
  testCount += 1;
  let failure;
  try {
    await fn();
  } catch (e) {
    failure = e;
  }
  const directive = todo ? ` # TODO ${todo}` : "";
  console.log(`${failure ? "not ok" : "ok"} ${testCount} - ${what}${directive}`);
  if (failure) {
    const why = failure instanceof assert.AssertionError ?
      failure.message : describeError(failure);
    console.log(why.replace(/^/gm, "#   "));
  }
}

// How an error looks to the SDK's user: status, the SDK's error code and
// message; and the daemon's own error when the SDK kept only its raw body.
function describeError(e) {
  if (!(e instanceof SandboxApiException)) return `error: ${e.message}`;
  let s = `${e.statusCode} ${e.error.code}: ${e.error.message}`;
  if (typeof e.rawBody === "string") {
    try {
      const body = JSON.parse(e.rawBody);
      s += ` [${body.code}: ${body.message}]`;
    } catch {
      s += ` [${e.rawBody}]`;
    }
  }
  return s;
}

// Asserts that promise fails, and the way describeError tells it.
async function rejects(promise, expected) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `no error, expected ${expected}`);
  assert.equal(describeError(error), expected);
}

// The SDK's execd stack for EXECD_URL, the access token sent as an endpoint
// header (where a lifecycle server's endpoint reply puts it).
function execdStack(config, token) {
  return new DefaultAdapterFactory().createExecdStack({
    connectionConfig: config,
    execdBaseUrl: EXECD_URL,
    endpointHeaders: token ? { "X-EXECD-ACCESS-TOKEN": token } : {},
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Polls fn until it returns something other than undefined; fails after
// POLL_LIMIT_MS naming what it waited for.
async function until(what, fn) {
  for (let waited = 0; waited < POLL_LIMIT_MS; waited += POLL_MS) {
    const v = await fn();
    if (v !== undefined) return v;
    await sleep(POLL_MS);
  }
  throw new Error(`gave up waiting for ${what}`);
}

// Handlers that record what the SDK dispatched to them.
function recorder() {
  const seen = { events: [], stdout: [], stderr: [], init: [], ends: [] };
  seen.handlers = {
    onEvent: (ev) => { seen.events.push(ev.type); },
    onInit: (init) => { seen.init.push(init.id); },
    onStdout: (m) => { seen.stdout.push(m.text); },
    onStderr: (m) => { seen.stderr.push(m.text); },
    onExecutionComplete: () => { seen.ends.push("complete"); },
    onError: (e) => {
      seen.ends.push(`error ${e.name} ${e.value} ${e.traceback.join("|")}`);
    },
  };
  return seen;
}

// The texts of messages: a line each, as the Go execd sends them.
function texts(messages) {
  return messages.map((m) => m.text);
}

// A finished execution as the handlers saw it: the output (which must be
// what the SDK accumulated), how it ended, the exit code the SDK made of
// it. The init event must have come first, once, with the id the SDK kept
// (expectId when given).
function outcome(execution, seen, expectId) {
  const id = execution.id;
  assert.ok(id, "the execution has no id");
  assert.deepEqual(seen.init, [expectId ?? id], "init ids");
  assert.equal(seen.events[0], "init", "the first event");
  assert.deepEqual(texts(execution.logs.stdout), seen.stdout, "stdout kept");
  assert.deepEqual(texts(execution.logs.stderr), seen.stderr, "stderr kept");
  return {
    stdout: seen.stdout,
    stderr: seen.stderr,
    ends: seen.ends,
    exitCode: execution.exitCode,
  };
}

async function run(sdk, command, opts = {}) {
  const seen = recorder();
  return outcome(await sdk.commands.run(command, opts, seen.handlers), seen);
}

async function runInSession(sdk, id, command) {
  const seen = recorder();
  const ex = await sdk.commands.runInSession(id, command, {}, seen.handlers);
  return outcome(ex, seen, id);
}

// The exit status of a status reply, and whether its times make sense.
function statusOf(st) {
  assert.ok(st.startedAt instanceof Date, `startedAt ${st.startedAt}`);
  if (st.finishedAt !== null) {
    assert.ok(st.finishedAt >= st.startedAt,
      `finished ${st.finishedAt} before started ${st.startedAt}`);
  }
  return {
    running: st.running,
    exitCode: st.exitCode,
    finished: st.finishedAt !== null,
    error: st.error,
  };
}

async function finishedStatus(sdk, id) {
  return until(`command ${id} to finish`, async () => {
    const st = await sdk.commands.getCommandStatus(id);
    return st.running ? undefined : st;
  });
}

function mode(path) {
  return (statSync(path).mode & 0o777).toString(8);
}

function text(path) {
  return readFileSync(path, "utf8");
}

// A FileInfo's fields, its times only as whether they are Dates.
function fileFields(f) {
  const isDate = (d) => d instanceof Date && !Number.isNaN(d.getTime());
  return [f.path, f.type, f.size, f.mode, f.owner, f.group,
    isDate(f.createdAt) && isDate(f.modifiedAt)];
}

async function commandChecks(sdk) {
  await test("ping with the token", async () => {
    assert.equal(await sdk.health.ping(), true);
  });

  await test("run: output through the handlers, exit code 0", async () => {
    assert.deepEqual(await run(sdk, "echo out; echo err >&2; printf 'a\\nb'"), {
      stdout: ["out", "a", "b"], stderr: ["err"], ends: ["complete"], exitCode: 0,
    });
  });

  await test("run: a line per stdout message, as the Go execd sends", async () => {
    const ex = await sdk.commands.run("echo 'Hello'; printf 'x1\\nx2\\n' | grep x");
    assert.deepEqual(texts(ex.logs.stdout), ["Hello", "x1", "x2"]);
  });

  await test("run: a failing command is an error event and its exit code",
    async () => {
      assert.deepEqual(await run(sdk, "echo x; exit 3"), {
        stdout: ["x"], stderr: [],
        ends: ["error CommandExecError 3 exit status 3"], exitCode: 3,
      });
    });

  await test("run: envs and working directory", async () => {
    const r = await run(sdk, "echo $FOO; pwd",
      { envs: { FOO: "bar" }, workingDirectory: W });
    assert.deepEqual(r, {
      stdout: ["bar", W], stderr: [], ends: ["complete"], exitCode: 0,
    });
  });

  await test("run: timeoutSeconds kills the command", async () => {
    const r = await run(sdk, "echo a; sleep 5", { timeoutSeconds: 0.3 });
    assert.deepEqual(r, {
      stdout: ["a"], stderr: [],
      ends: ["error CommandExecError -1 signal: killed"], exitCode: -1,
    });
  });

  await test("run: a working directory that is not there is 400", async () => {
    await rejects(sdk.commands.run("pwd", { workingDirectory: `${W}/nope` }),
      `400 INVALID_REQUEST_BODY: invalid request: working directory does not exist: ${W}/nope`);
  });

  await test("runStream: the events as the SDK parses them", async () => {
    const types = [];
    for await (const ev of sdk.commands.runStream("echo one")) {
      types.push(ev.type);
    }
    assert.deepEqual(types, ["init", "stdout", "execution_complete"]);
  });

  await test("interrupt a foreground run from its stdout handler", async () => {
    const seen = recorder();
    let interrupted;
    const onStdout = seen.handlers.onStdout;
    seen.handlers.onStdout = (m) => {
      onStdout(m);
      // Settled here, thrown below: the run goes on meanwhile.
      interrupted ??= sdk.commands.interrupt(seen.init[0]).then(() => null,
        (e) => e);
    };
    const ex = await sdk.commands.run("echo start; sleep 30", {},
      seen.handlers);
    const failure = await interrupted;
    if (failure) throw failure;
    assert.deepEqual(outcome(ex, seen), {
      stdout: ["start"], stderr: [],
      ends: ["error CommandExecError -1 signal: interrupt"], exitCode: -1,
    });
  });
}

async function backgroundChecks(sdk) {
  await test("background: init and completion at once; status and logs",
    async () => {
      const command = "echo bg1; sleep 0.2; echo bg2; exit 2";
      const seen = recorder();
      const ex = await sdk.commands.run(command, { background: true },
        seen.handlers);
      assert.deepEqual(seen.events, ["init", "execution_complete"]);
      assert.equal(ex.exitCode, undefined);
      const st = await finishedStatus(sdk, ex.id);
      assert.equal(st.id, ex.id);
      assert.equal(st.content, command);
      assert.deepEqual(statusOf(st), {
        running: false, exitCode: 2, finished: true, error: "exit status 2",
      });
      const logs = await sdk.commands.getBackgroundCommandLogs(ex.id);
      assert.equal(logs.content, "bg1\nbg2\n");
      assert.ok(Number.isInteger(logs.cursor), `cursor ${logs.cursor}`);
    });

  await test("logs from the cursor a read returned: only what came after",
    async () => {
      const flag = `${W}/flag`;
      const ex = await sdk.commands.run(
        `echo one; until [ -e '${flag}' ]; do sleep 0.05; done; echo two`,
        { background: true });
      const first = await until("the first line", async () => {
        const l = await sdk.commands.getBackgroundCommandLogs(ex.id);
        return l.content === "" ? undefined : l;
      });
      assert.equal(first.content, "one\n");
      writeFileSync(flag, "");
      await finishedStatus(sdk, ex.id);
      const rest = await sdk.commands.getBackgroundCommandLogs(ex.id,
        first.cursor);
      assert.equal(rest.content, "two\n");
      const end = await sdk.commands.getBackgroundCommandLogs(ex.id,
        rest.cursor);
      assert.equal(end.content, "");
    });

  await test("status while running, interrupt, status once ended", async () => {
    const ex = await sdk.commands.run("sleep 30", { background: true });
    assert.deepEqual(statusOf(await sdk.commands.getCommandStatus(ex.id)), {
      running: true, exitCode: null, finished: false, error: undefined,
    });
    await sdk.commands.interrupt(ex.id);
    assert.deepEqual(statusOf(await finishedStatus(sdk, ex.id)), {
      running: false, exitCode: -1, finished: true,
      error: "signal: interrupt",
    });
  });

  await test("unknown command ids: status 404, logs 400, interrupt 404",
    async () => {
      const why = "INVALID_REQUEST_BODY: command not found: nope";
      await rejects(sdk.commands.getCommandStatus("nope"), `404 ${why}`);
      await rejects(sdk.commands.getBackgroundCommandLogs("nope"), `400 ${why}`);
      await rejects(sdk.commands.interrupt("nope"), `404 ${why}`);
    });
}

async function sessionChecks(sdk) {
  const ok = { stdout: [], stderr: [], ends: ["complete"], exitCode: 0 };

  await test("session: state kept between runs, exit codes, deleted",
    async () => {
      mkdirSync(`${W}/s/sub`, { recursive: true });
      const id = await sdk.commands.createSession({
        workingDirectory: `${W}/s`,
      });
      assert.deepEqual(await runInSession(sdk, id, "export V=1; cd sub"), ok);
      assert.deepEqual(await runInSession(sdk, id, "echo $V; pwd"),
        { ...ok, stdout: ["1", `${W}/s/sub`] });
      assert.deepEqual(await runInSession(sdk, id, "echo err >&2"),
        { ...ok, stderr: ["err"] });
      assert.deepEqual(await runInSession(sdk, id, "false"), {
        stdout: [], stderr: [],
        ends: ["error CommandExecError 1 command exited with code 1"],
        exitCode: 1,
      });
      await sdk.commands.deleteSession(id);
    });

  await test("a deleted session: run and delete answer 404", async () => {
    const id = await sdk.commands.createSession();
    await sdk.commands.deleteSession(id);
    const why = `404 CONTEXT_NOT_FOUND: session ${id} not found`;
    await rejects(sdk.commands.runInSession(id, "true"), why);
    await rejects(sdk.commands.deleteSession(id), why);
  });

  await test("exit in a session ends the run, and the session keeps its state", async () => {
    const id = await sdk.commands.createSession();
    try {
      assert.deepEqual(await runInSession(sdk, id, "cd /; s=kept; echo bye; exit 3"), {
        stdout: ["bye"], stderr: [],
        ends: ["error CommandExecError 3 command exited with code 3"],
        exitCode: 3,
      });
      assert.deepEqual(await runInSession(sdk, id, "echo $PWD $s"), {
        stdout: ["/ kept"], stderr: [], ends: ["complete"], exitCode: 0,
      });
    } finally {
      await sdk.commands.deleteSession(id);
    }
  });
}

async function transferChecks(sdk, bin, big) {
  await test("writeFiles a string with a mode; readFile reads it back",
    async () => {
      await sdk.files.writeFiles([
        { path: `${W}/a.txt`, data: "hello world", mode: 600 },
      ]);
      assert.equal(text(`${W}/a.txt`), "hello world");
      assert.equal(mode(`${W}/a.txt`), "600");
      assert.equal(await sdk.files.readFile(`${W}/a.txt`), "hello world");
    });

  await test("readFile with a range", async () => {
    assert.equal(await sdk.files.readFile(`${W}/a.txt`, { range: "bytes=6-" }),
      "world");
  });

  await test("writeFiles bytes: every byte value arrives as it was",
    async () => {
      await sdk.files.writeFiles([{ path: `${W}/bin`, data: bin }]);
      assert.ok(readFileSync(`${W}/bin`).equals(bin), "the bytes differ");
    });

  await test("writeFiles a stream of chunks: 1 MiB arrives as it was",
    async () => {
      const chunks = async function* () {
        for (let i = 0; i < big.length; i += 1000) {
          yield big.subarray(i, i + 1000);
        }
      };
      await sdk.files.writeFiles([{ path: `${W}/big`, data: chunks() }]);
      assert.ok(readFileSync(`${W}/big`).equals(big), "the bytes differ");
    });

  await test("readBytes and readBytesStream: byte for byte, and ranges",
    async () => {
      const whole = await sdk.files.readBytes(`${W}/bin`);
      assert.ok(Buffer.from(whole).equals(bin), "readBytes differs");
      const part = await sdk.files.readBytes(`${W}/bin`,
        { range: "bytes=250-259" });
      assert.ok(Buffer.from(part).equals(bin.subarray(250, 260)),
        "the range differs");
      const chunks = [];
      for await (const c of sdk.files.readBytesStream(`${W}/big`)) {
        chunks.push(c);
      }
      assert.ok(Buffer.concat(chunks).equals(big), "the stream differs");
    });

  await test("download errors: 404 missing file, 416 bad range", async () => {
    await rejects(sdk.files.readBytes(`${W}/nope`),
      `404 UNEXPECTED_RESPONSE: Download failed [FILE_NOT_FOUND: open ${W}/nope: no such file or directory]`);
    await rejects(sdk.files.readBytes(`${W}/bin`, { range: "bytes=20000-" }),
      `416 UNEXPECTED_RESPONSE: Download failed [INVALID_RANGE: download ${W}/bin: range bytes=20000- not satisfiable (size ${bin.length})]`);
  });
}

async function fileOpChecks(sdk) {
  const user = execFileSync("id", ["-un"], { encoding: "utf8" }).trim();
  const group = execFileSync("id", ["-gn"], { encoding: "utf8" }).trim();
  const L = `${W}/l`;

  await test("getFileInfo: type, size, mode, owner, group, times", async () => {
    const info = await sdk.files.getFileInfo([`${W}/a.txt`, W]);
    assert.deepEqual(Object.keys(info).sort(), [W, `${W}/a.txt`]);
    assert.deepEqual(fileFields(info[`${W}/a.txt`]),
      [`${W}/a.txt`, "file", 11, 600, user, group, true]);
    assert.deepEqual(fileFields(info[W]), [W, "directory", statSync(W).size,
      Number(mode(W)), user, group, true]);
    await rejects(sdk.files.getFileInfo([`${W}/nope`]),
      `404 FILE_NOT_FOUND: stat ${W}/nope: no such file or directory`);
  });

  await test("createDirectories: nested, with the mode asked", async () => {
    await sdk.files.createDirectories([
      { path: `${W}/m/n`, mode: 700 }, { path: `${W}/o`, mode: 700 },
    ]);
    assert.equal(mode(`${W}/m/n`), "700");
    assert.equal(mode(`${W}/o`), "700");
  });

  await test("listDirectory: children, then two levels, in order", async () => {
    mkdirSync(`${L}/a`, { recursive: true });
    for (const f of ["a/x.txt", "b.txt", "c.md"]) writeFileSync(`${L}/${f}`, "");
    const list = async (depth) =>
      (await sdk.files.listDirectory({ path: L, depth }))
        .map((f) => `${f.type} ${f.path}`);
    assert.deepEqual(await list(),
      [`directory ${L}/a`, `file ${L}/b.txt`, `file ${L}/c.md`]);
    assert.deepEqual(await list(2), [`directory ${L}/a`, `file ${L}/a/x.txt`,
      `file ${L}/b.txt`, `file ${L}/c.md`]);
  });

  await test("search: a glob matched in every subdirectory; 404", async () => {
    const found = await sdk.files.search({ path: L, pattern: "*.txt" });
    assert.deepEqual(found.map((f) => f.path), [`${L}/a/x.txt`, `${L}/b.txt`]);
    await rejects(sdk.files.search({ path: `${L}/nope` }),
      `404 FILE_NOT_FOUND: search ${L}/nope: no such file or directory`);
  });

  await test("moveFiles: renamed into a directory; a missing source 404",
    async () => {
      await sdk.files.moveFiles([{ src: `${W}/a.txt`, dest: `${W}/m/a.txt` }]);
      assert.ok(!existsSync(`${W}/a.txt`), "the source is still there");
      assert.equal(text(`${W}/m/a.txt`), "hello world");
      await rejects(sdk.files.moveFiles([{ src: `${W}/nope`, dest: `${W}/x` }]),
        `404 FILE_NOT_FOUND: mv ${W}/nope: no such file or directory`);
    });

  await test("replaceContents, and replaceContentsDetailed counts", async () => {
    const r = `${W}/r.txt`;
    const replace = (oldContent, newContent) =>
      sdk.files.replaceContentsDetailed([{ path: r, oldContent, newContent }]);
    writeFileSync(r, "a-a-a\n");
    await sdk.files.replaceContents([
      { path: r, oldContent: "a", newContent: "b" },
    ]);
    assert.equal(text(r), "b-b-b\n");
    assert.deepEqual(await replace("b", "cc"), [{ path: r, replacedCount: 3 }]);
    assert.equal(text(r), "cc-cc-cc\n");
    assert.deepEqual(await replace("zz", "y"), [{ path: r, replacedCount: 0 }]);
  });

  await test("setPermissions: the mode; a missing file 404", async () => {
    await sdk.files.setPermissions([{ path: `${W}/r.txt`, mode: 640 }]);
    assert.equal(mode(`${W}/r.txt`), "640");
    await rejects(sdk.files.setPermissions([{ path: `${W}/nope`, mode: 644 }]),
      `404 FILE_NOT_FOUND: chmod ${W}/nope: no such file or directory`);
  });

  await test("deleteFiles and deleteDirectories", async () => {
    await sdk.files.deleteFiles([`${W}/r.txt`, `${W}/bin`]);
    assert.ok(!existsSync(`${W}/r.txt`) && !existsSync(`${W}/bin`),
      "a file is still there");
    await sdk.files.deleteDirectories([`${W}/m`]);
    assert.ok(!existsSync(`${W}/m`), "the directory is still there");
  });
}

async function metricsChecks(sdk) {
  await test("getMetrics: the daemon's figures under the SDK's names",
    async () => {
      const m = await sdk.metrics.getMetrics();
      const res = await fetch(`${EXECD_URL}/metrics`,
        { headers: { "X-EXECD-ACCESS-TOKEN": TOKEN } });
      const raw = await res.json();
      assert.equal(m.cpuCount, raw.cpu_count);
      assert.equal(m.memoryTotalMiB, raw.mem_total_mib);
      assert.ok(m.cpuUsedPercentage >= 0 &&
        m.cpuUsedPercentage <= 100 * m.cpuCount, `cpu ${m.cpuUsedPercentage}`);
      assert.ok(m.memoryUsedMiB > 0 && m.memoryUsedMiB <= m.memoryTotalMiB,
        `memory ${m.memoryUsedMiB} of ${m.memoryTotalMiB}`);
      assert.ok(Math.abs(Date.now() - m.timestamp) < 60000,
        `timestamp ${m.timestamp}`);
    });
}

async function tokenChecks(config) {
  await test("a wrong or no token: the SDK throws 401 UNAUTHORIZED",
    async () => {
      const why = "401 UNAUTHORIZED: missing or invalid X-EXECD-ACCESS-TOKEN";
      await rejects(execdStack(config, "wrong").metrics.getMetrics(), why);
      await rejects(execdStack(config, "").commands.run("true"), why);
    });
}

async function main() {
  const config = new ConnectionConfig({
    domain: EXECD_URL,
    requestTimeoutSeconds: 15,
  }).withTransportIfMissing();
  const sdk = execdStack(config, TOKEN);
  const bin = Buffer.alloc(256 * 40, 0).map((_, i) => i & 0xff);
  try {
    await commandChecks(sdk);
    await tokenChecks(config);
    await backgroundChecks(sdk);
    await sessionChecks(sdk);
    await transferChecks(sdk, bin, randomBytes(1 << 20));
    await fileOpChecks(sdk);
    await metricsChecks(sdk);
  } finally {
    await config.closeTransport();
  }
}

await main();
