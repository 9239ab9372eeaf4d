"""The bubblewrap sandbox on its own: what a sandboxed process can and cannot do.

These run ``python -c`` in the same sandbox a grading kernel gets
(:func:`lstm_grader.sandbox.run_python`), which takes a fraction of a second.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_grader import sandbox

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workdir(tmp_path):
    folder = tmp_path / "autograded" / "ada" / "a1"
    folder.mkdir(parents=True)
    (folder / "data.csv").write_text("1,2\n")
    (folder / "a1.ipynb").write_text("{}")  # the graded copy: holds the hidden tests
    (tmp_path / "autograded" / "bob").mkdir()
    os.chmod(tmp_path, 0o755)
    return folder


def run(code: str, workdir: Path, **kw) -> dict:
    """Run ``code``, which must print one JSON line; return it parsed."""
    proc = sandbox.run_python(code, workdir, **kw)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_self_test_passes_here():
    assert sandbox.self_test(ROOT) == ""


def test_verification_fails_outside_the_sandbox():
    out = subprocess.run([sys.executable, "-c", sandbox.verify_code(sandbox.secret_paths(ROOT))],
                         capture_output=True, text=True, env={k: v for k, v in os.environ.items()
                                                               if k != sandbox.MARKER_ENV})
    assert out.stdout.strip() == "not in the sandbox"


def test_course_folder_and_other_students_are_invisible(workdir):
    code = (
        "import os, json\n"
        f"paths = {sandbox.secret_paths(ROOT)!r} + [{str(ROOT / 'lstm_course')!r} + '/../source', "
        f"{str(workdir.parent.parent / 'bob')!r}, '/root/.bash_history', '/etc/shadow', '/etc/passwd']\n"
        "print(json.dumps({p: os.path.exists(p) for p in paths}))\n")
    seen = run(code, workdir)
    assert not any(seen.values()), {p: v for p, v in seen.items() if v}


def test_only_the_working_copy_is_writable(workdir):
    targets = [str(ROOT / "lstm_course" / "checks" / "structure.py"), f"{sys.prefix}/etc/ipython/ipython_kernel_config.py",
               f"{sys.prefix}/lib/python3.11/site-packages/sitecustomize.py", str(workdir / "data.csv"),
               "new.txt", "/tmp/x.txt"]
    code = (
        "import json\nout = {}\n"
        f"for p in {targets!r}:\n"
        "    try:\n        open(p, 'a').write('x'); out[p] = True\n"
        "    except OSError:\n        out[p] = False\n"
        "print(json.dumps(out))\n")
    wrote = run(code, workdir)
    assert wrote.pop("new.txt") and wrote.pop("/tmp/x.txt"), "the working copy and /tmp must be writable"
    assert not any(wrote.values()), wrote
    assert not (workdir / "new.txt").exists(), "the working copy is a throwaway: nothing reaches the host"
    assert (workdir / "data.csv").read_text() == "1,2\n"


def test_course_files_are_there_but_not_the_notebook(workdir):
    code = "import os, json; print(json.dumps(sorted(os.listdir('.'))))"
    assert run(code, workdir) == ["data.csv"]


def test_the_working_copy_has_the_same_path_wherever_the_grader_works(workdir):
    """What a submission prints about its location cannot differ between runs or workers."""
    code = "import os, json; print(json.dumps([os.getcwd(), os.path.exists(%r)]))" % str(workdir)
    assert run(code, workdir) == ["/course/autograded/ada/a1", False]


def test_no_network_and_not_root(workdir):
    code = (
        "import os, json, socket\n"
        "try:\n    socket.create_connection(('127.0.0.1', 22), timeout=1); net = 'connected'\n"
        "except OSError as e:\n    net = type(e).__name__\n"
        "print(json.dumps({'uid': os.getuid(), 'net': net, "
        "'ifaces': [n for _, n in socket.if_nameindex()]}))\n")
    out = run(code, workdir)
    assert out["uid"] != 0
    assert out["net"] != "connected"
    assert out["ifaces"] in ([], ["lo"])


def test_memory_and_process_limits(workdir):
    limits = sandbox.Limits(memory_bytes=512 * sandbox.MiB, processes=32)
    code = (
        "import json, subprocess\nout = {}\n"
        "try:\n    x = bytearray(1024 ** 3); out['memory'] = 'allocated'\n"
        "except MemoryError:\n    out['memory'] = 'MemoryError'\n"
        "ps = []\n"
        "try:\n"
        "    for _ in range(200): ps.append(subprocess.Popen(['sleep', '5']))\n"
        "except OSError:\n    pass\n"
        "out['processes'] = len(ps)\n"
        "print(json.dumps(out))\n")
    out = run(code, workdir, limits=limits)
    assert out["memory"] == "MemoryError"
    assert out["processes"] < 32


def test_everything_dies_with_the_sandbox(workdir):
    marker = f"lstm-orphan-{os.getpid()}"
    code = ("import subprocess, json\n"
            f"subprocess.Popen(['sh', '-c', 'exec -a {marker} sleep 60'], start_new_session=True)\n"
            "print(json.dumps({'started': True}))\n")
    assert run(code, workdir)["started"]
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert not left, f"a detached process survived the sandbox: {left}"


def ipc_connection_file(tmp_path: Path) -> Path:
    """A kernel connection file over ipc in a folder of its own (no front end will connect)."""
    folder = tmp_path / "ipc"
    folder.mkdir()
    conn = tmp_path / "connection.json"
    conn.write_text(json.dumps({"transport": "ipc", "ip": str(folder / "k"), "shell_port": 1,
                                "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5,
                                "key": "x", "signature_scheme": "hmac-sha256"}))
    return conn


def test_wall_clock_limit_is_enforced_by_the_launcher(tmp_path):
    """The launcher kills a kernel that outlives the wall limit."""
    conn = ipc_connection_file(tmp_path)
    env = {**os.environ, "LSTM_SANDBOX_WALL_SECONDS": "3"}
    # with no front end ever connecting, the kernel just waits: the limit must end it
    proc = subprocess.run([sys.executable, "-m", "lstm_grader.sandbox", "launch", str(conn)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 124, proc.stderr[-2000:]
    assert "wall-clock limit" in proc.stderr


def test_launcher_refuses_tcp(tmp_path):
    conn = tmp_path / "connection.json"
    conn.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1"}))
    proc = subprocess.run([sys.executable, "-m", "lstm_grader.sandbox", "launch", str(conn)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3 and "ipc" in proc.stderr


def test_kernelspec_is_interrupted_by_message(tmp_path):
    path = sandbox.install_kernelspec(str(tmp_path))
    spec = json.loads(path.read_text())
    assert spec["interrupt_mode"] == "message"
    assert spec["argv"][1:4] == ["-m", "lstm_grader.sandbox", "launch"]


def test_kernel_dies_with_the_grader(tmp_path):
    """If the grading process is killed, its sandboxed kernel does not live on."""
    conn = ipc_connection_file(tmp_path)
    # a "grader" that starts the launcher in its own session (as jupyter_client
    # does), then dies without shutting it down
    grader = (
        "import subprocess, sys, time\n"
        f"p = subprocess.Popen([sys.executable, '-m', 'lstm_grader.sandbox', 'launch', {str(conn)!r}],"
        " start_new_session=True)\n"
        "print(p.pid, flush=True); time.sleep(2)\n")
    out = subprocess.run([sys.executable, "-c", grader], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    launcher = int(out.stdout.split()[0])
    import time
    for _ in range(50):
        if not Path(f"/proc/{launcher}").exists():
            break
        time.sleep(0.2)
    assert not Path(f"/proc/{launcher}").exists(), "the launcher outlived the grader"


def test_the_seed_sweep_variable_never_reaches_a_kernel(workdir, monkeypatch):
    """LSTM_COURSE_SEED moves the hidden tests' data: a sweep left set in the
    grader's shell must not change a grade, with or without the sandbox."""
    from lstm_course.notebook import SEED_ENV

    assert SEED_ENV in sandbox.DROP_ENV
    monkeypatch.setenv(SEED_ENV, "7")
    seen = run(f"import os, json\nprint(json.dumps(os.environ.get({SEED_ENV!r})))\n", workdir)
    assert seen is None
    env = {SEED_ENV: "7", "PATH": "/bin"}
    sandbox.clear_course_env(env)  # what the grader does before a kernel without the sandbox
    assert env == {"PATH": "/bin"}


@pytest.mark.parametrize("no_sandbox", [False, True])
def test_the_grader_drops_the_seed_variable_before_nbgrader_runs(monkeypatch, no_sandbox):
    """The worker's nbgrader process (and so any kernel it starts without the
    sandbox) never sees LSTM_COURSE_SEED."""
    from lstm_course.notebook import SEED_ENV
    from lstm_grader import work

    seen: dict[str, str] = {}

    def fake_run(argv, cwd, env, log, timeout, err=None):
        seen.update(env)
        return 0, ""

    monkeypatch.setattr(work, "_run", fake_run)
    monkeypatch.setattr(work, "_SANDBOX_PROBLEM", "")
    monkeypatch.setenv(SEED_ENV, "7")
    work.grade_job(work.Bundle("a1", b"", {}, b""),
                   work.Job("eve", {"a1.ipynb": b"{}"}, no_sandbox=no_sandbox))
    assert seen, "nbgrader was not started"
    assert SEED_ENV not in seen
    assert (seen.get(sandbox.NO_SANDBOX_ENV) == "1") == no_sandbox
