"""The jail a sandbox child enters before any student code runs (Linux, no root, no docker).

Layers, each enforced by the kernel and each reported by :func:`probe`:

- **namespaces** (user + PID + mount): the child is PID 1 of a PID namespace of its own, so
  it sees no process outside it and every process it might leave behind dies with it; its
  mount namespace gets its own ``/proc`` (only the sandbox's processes; under Landlock not even
  that is readable) and a private
  ``tmpfs`` on its working folder, with a size quota, that vanishes with the namespace.
- **landlock** (kernel >= 5.13): it can read only what Python and numpy need (the standard
  library, the site-packages entries other than the grader's own, system libraries) and
  write only its working folder. With ABI >= 4 TCP bind/connect is refused; with ABI >= 6
  it cannot signal a process outside the sandbox or reach an abstract unix socket.
- **seccomp**: one process with one thread (no fork, clone or thread), no socket, no
  io_uring, no ptrace or reading another process's memory, no new namespace, no keyring,
  SysV IPC or memfd, no change to any file's mode, owner, times or attributes (see
  ``_DENIED``). One task per submission is what makes ``RLIMIT_AS`` a bound on its whole
  memory, and keeps it from using up the machine's process IDs.
- **no privileges**: every capability dropped and ``no_new_privs`` set.

The syscalls are made with ``ctypes`` rather than a binding: Python has none in the standard
library (``os.unshare`` only from 3.12), the maintained Landlock bindings on PyPI do not
expose ABI 6's scoping, and these are a dozen stable kernel interfaces with fixed numbers.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import struct
import sys
import sysconfig
from dataclasses import dataclass, field

# -- kernel constants (include/uapi/linux/*.h) ------------------------------------------
_CLONE_NEWNS, _CLONE_NEWUSER, _CLONE_NEWPID, _CLONE_NEWIPC = 0x00020000, 0x10000000, 0x20000000, 0x08000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REC, _MS_PRIVATE = 2, 4, 8, 1 << 14, 1 << 18
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP = 1, 38, 22
_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
_SECCOMP_MODE_FILTER = 2
_O_PATH, _O_CLOEXEC = 0o10000000, 0o2000000

_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1, 2, 4, 8
_FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 14, 1 << 15
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
_NET_BIND_TCP, _NET_CONNECT_TCP = 1, 2
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1, 2
READ = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
_READ_FILE_ONLY = _FS_EXECUTE | _FS_READ_FILE  # a rule on a file takes file rights only

# seccomp: the system calls refused, by name, and their numbers on each machine (x86_64, aarch64).
# New tasks (a process or a thread: a thread bomb would use up the machine's PIDs); sockets
# (socketpair too: their buffers are kernel memory outside RLIMIT_AS),
# io_uring (it opens sockets and files without those calls); another process's memory or
# descriptors; new namespaces; the kernel's keyrings and SysV IPC (both outlive the process);
# memfd (memory outside RLIMIT_AS); leaving the process group it is killed with, or clearing
# its parent-death signal (prctl); and the metadata of files Landlock does not cover
# (mode, owner, times, extended attributes: the grader's own files share its uid).
_DENIED = {
    "clone": (56, 220), "clone3": (435, 435), "fork": (57, None), "vfork": (58, None),
    "socket": (41, 198), "socketpair": (53, 199), "io_uring_setup": (425, 425), "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427), "ptrace": (101, 117), "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271), "pidfd_getfd": (438, 438), "unshare": (272, 97), "setns": (308, 268),
    "add_key": (248, 217), "request_key": (249, 218), "keyctl": (250, 219), "shmget": (29, 194),
    "semget": (64, 190), "msgget": (68, 186), "memfd_create": (319, 279), "userfaultfd": (323, 282),
    "bpf": (321, 280), "perf_event_open": (298, 241),
    "prctl": (157, 167), "setsid": (112, 157), "setpgid": (109, 154),
    "chmod": (90, None), "fchmod": (91, 52), "fchmodat": (268, 53), "fchmodat2": (452, 452),
    "chown": (92, None), "fchown": (93, 55), "lchown": (94, None), "fchownat": (260, 54),
    "utime": (132, None), "utimes": (235, None), "futimesat": (261, None), "utimensat": (280, 88),
    "setxattr": (188, 5), "lsetxattr": (189, 6), "fsetxattr": (190, 7), "removexattr": (197, 14),
    "lremovexattr": (198, 15), "fremovexattr": (199, 16), "setxattrat": (463, 463), "removexattrat": (466, 466),
}
_EPERM, _ENOSYS = 1, 38
_ARCH = {"x86_64": (0, 0xC000003E), "aarch64": (1, 0xC00000B7)}  # column in _DENIED, audit arch

JAIL_FAILED = 121  # exit code of a child whose jail could not be set up as promised

LAYERS = ("namespaces", "landlock", "seccomp")


@dataclass
class Support:
    """Which layers this kernel enforces (found by trying them in a throwaway process)."""

    namespaces: bool = False
    landlock_abi: int = 0
    seccomp: bool = False
    reasons: dict[str, str] = field(default_factory=dict)  # layer -> why it is missing

    @property
    def complete(self) -> bool:
        return self.namespaces and self.landlock_abi >= 1 and self.seccomp

    def summary(self) -> str:
        """One line for the start of a batch, ``autograder doctor`` and the report."""
        parts = [
            "namespaces " + ("on" if self.namespaces else "OFF"),
            f"landlock ABI {self.landlock_abi}" if self.landlock_abi else "landlock OFF",
            "seccomp " + ("on" if self.seccomp else "OFF"),
        ]
        text = "jail: " + ", ".join(parts)
        if not self.complete:
            why = "; ".join(f"{k}: {v}" for k, v in self.reasons.items())
            text += f" — running with fewer protections ({why})"
        return text

    def as_dict(self) -> dict:
        return {"namespaces": self.namespaces, "landlock_abi": self.landlock_abi, "seccomp": self.seccomp,
                "reasons": dict(self.reasons)}

    @classmethod
    def from_dict(cls, data: dict) -> Support:
        return cls(bool(data.get("namespaces")), int(data.get("landlock_abi", 0)), bool(data.get("seccomp")),
                   {str(k): str(v) for k, v in dict(data.get("reasons", {})).items()})


def _load_libc():
    """The C library, typed for the calls made here; None where it cannot be loaded (then
    :func:`probe` finds no layer and grading goes on with the older protections)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
        return libc
    except (OSError, AttributeError, TypeError):
        return None


_libc = _load_libc()


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def _prctl(option: int, arg: int = 0) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0), f"prctl({option})")


def landlock_abi() -> int:
    """The Landlock ABI version the kernel offers (0: none)."""
    try:
        return max(0, int(_libc.syscall(_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                                         ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))))
    except (AttributeError, OSError):
        return 0


# -- what the child may read ------------------------------------------------------------
def read_paths(package_dir: str) -> list[tuple[str, int]]:
    """(path, rights) for everything the child may read: the standard library, the
    site-packages on ``sys.path``, system libraries and a few devices — less the grader's
    package (``package_dir``), wherever it is installed: in a checkout beside the solutions
    (then nothing here leads to it) or in one of these folders (then that folder is opened
    entry by entry, around it)."""
    site_dirs = [p for p in sys.path if p and os.path.isdir(p) and ("site-packages" in p or "dist-packages" in p)]
    stdlib = [sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib")]
    protected = {os.path.realpath(package_dir)}
    paths: list[tuple[str, int]] = []
    for root in [*stdlib, *site_dirs, "/usr/lib", "/lib", "/lib64", "/usr/lib64", "/usr/local/lib"]:
        if os.path.isdir(root):
            _allow(os.path.realpath(root), protected, paths)
    for device in ("/dev/null", "/dev/zero", "/dev/urandom", "/etc/ld.so.cache"):
        if os.path.exists(device):
            paths.append((device, _READ_FILE_ONLY | (_FS_WRITE_FILE | _FS_IOCTL_DEV if device == "/dev/null" else 0)))
    return list(dict.fromkeys(paths))


def _allow(path: str, protected: set[str], out: list[tuple[str, int]]) -> None:
    """Allow reading ``path`` whole, or, where a protected path lies beneath it, listing it
    and reading each entry but the protected ones (recursively along their way)."""
    real = os.path.realpath(path)
    if real in protected:
        return
    if not any(p.startswith(real + os.sep) for p in protected):
        out.append((path, READ if os.path.isdir(real) else _READ_FILE_ONLY))
        return
    out.append((path, _FS_READ_DIR))
    for name in sorted(_listdir(real)):
        _allow(os.path.join(real, name), protected, out)


def _listdir(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


class Rules:
    """The read rules as open ``O_PATH`` descriptors: opened once (in the fork server) and
    inherited by every child, which only has to hand them to the kernel."""

    def __init__(self, paths: list[tuple[str, int]]) -> None:
        self.fds: list[tuple[int, int]] = []
        for path, rights in paths:
            try:
                self.fds.append((os.open(path, _O_PATH | _O_CLOEXEC), rights))
            except OSError:
                continue

    def close(self) -> None:
        for fd, _ in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []


# -- entering the jail ------------------------------------------------------------------
def enter(workdir: str, disk_bytes: int, rules: Rules | None, support: Support, open_files: int = 64) -> None:
    """Jail the calling process (already forked, with its rlimits set) for student code; it
    keeps at most ``open_files`` descriptors open (each pipe holds kernel memory).

    Returns in a new process that is PID 1 of its own namespace; the calling process stays
    outside, waits for it and exits with its status (it never returns). Each layer that
    ``support`` says the kernel has must hold, or this process exits with ``JAIL_FAILED``:
    a child never runs student code with less than was promised."""
    try:
        _prctl(_PR_SET_PDEATHSIG, 9)  # the fork server (or the grader) went away: so do we
        if support.namespaces:
            _unshare_and_fork()
            _prctl(_PR_SET_PDEATHSIG, 9)  # our keeper outside the namespace died: so do we
            _private_mounts(workdir, disk_bytes)
        os.chdir(workdir)
        _drop_privileges()
        if support.landlock_abi:
            _landlock(support.landlock_abi, workdir, rules)
        if support.seccomp:
            _seccomp()
        if rules is not None:
            rules.close()  # before the limit: the rules may hold more descriptors than it allows
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))
    except BaseException:  # noqa: BLE001 - any failure: fail closed
        os._exit(JAIL_FAILED)


def _new_namespaces() -> None:
    """Enter a user namespace (mapping our own uid and gid) with PID, mount and IPC ones."""
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(_CLONE_NEWUSER | _CLONE_NEWPID | _CLONE_NEWNS | _CLONE_NEWIPC), "unshare")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def _unshare_and_fork() -> None:
    _new_namespaces()
    pid = os.fork()  # the first process of the new PID namespace: PID 1
    if pid == 0:
        return
    _keep(pid)


def _keep(pid: int) -> None:
    """Outside the namespace: wait for its PID 1 and leave with the same status, so the
    parent sees a killed or crashed submission as before. Holds no descriptor of the child's."""
    os.closerange(3, 65536)
    for fd in (0, 1, 2):
        try:
            os.close(fd)
        except OSError:
            pass
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(JAIL_FAILED)
    if os.WIFSIGNALED(status):
        import signal

        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else JAIL_FAILED)


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _private_mounts(workdir: str, disk_bytes: int) -> None:
    _check(_libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "mount --make-rprivate /")
    _check(_libc.mount(b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None), "mount /proc")
    size = max(64 * 1024, int(disk_bytes))
    options = f"size={size},nr_inodes=4096,mode=0700".encode()
    _check(_libc.mount(b"tmpfs", workdir.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, options), "mount tmpfs")


def _drop_privileges() -> None:
    """No capability left (those held in the new user namespace included), and none to regain:
    with no_new_privs an exec can grant none (so the bounding set need not be emptied)."""
    _libc.prctl(_PR_CAP_AMBIENT, ctypes.c_ulong(_PR_CAP_AMBIENT_CLEAR_ALL), 0, 0, 0)
    header = struct.pack("Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = bytes(24)  # two {effective, permitted, inheritable} = 0
    _check(_libc.capset(header, data), "capset")
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)


def _landlock(abi: int, workdir: str, rules: Rules | None) -> None:
    fs_rights = _FS_BY_ABI[max(k for k in _FS_BY_ABI if k <= abi)]
    net_rights = _NET_BIND_TCP | _NET_CONNECT_TCP if abi >= 4 else 0
    scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0
    attr = struct.pack("QQQ", fs_rights, net_rights, scoped)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = _check(_libc.syscall(_LANDLOCK_CREATE_RULESET, attr, ctypes.c_size_t(size), ctypes.c_uint32(0)),
                     "landlock_create_ruleset")
    try:
        fds = list(rules.fds) if rules else []
        work = os.open(workdir, _O_PATH | _O_CLOEXEC)  # not /proc: it shows the machine's network and more
        fds.append((work, fs_rights))
        for fd, rights in fds:
            rule = struct.pack("=Qi", rights & fs_rights, fd)
            _check(_libc.syscall(_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_LANDLOCK_RULE_PATH_BENEATH),
                                 rule, ctypes.c_uint32(0)), "landlock_add_rule")
        os.close(work)
        _check(_libc.syscall(_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(ruleset)


def _seccomp() -> None:
    """A classic BPF filter: the calls in ``_DENIED`` fail with EPERM (clone3 with ENOSYS, so
    that the C library falls back to clone, refused too); a call of another architecture
    kills the process."""
    column, arch = _ARCH[platform.machine()]

    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    load, equal, at_least, ret = 0x20, 0x15, 0x35, 0x06
    allow, kill, refuse = 0x7FFF0000, 0x80000000, 0x00050000
    prog = [op(load, 4), op(equal, arch, 1, 0), op(ret, kill), op(load, 0)]
    if column == 0:  # x32 system calls share x86_64's arch value: refuse them all
        prog += [op(at_least, 0x40000000, 0, 1), op(ret, kill)]
    for name, numbers in _DENIED.items():
        if numbers[column] is not None:
            prog += [op(equal, numbers[column], 0, 1), op(ret, refuse | (_ENOSYS if name == "clone3" else _EPERM))]
    prog.append(op(ret, allow))
    buffer = ctypes.create_string_buffer(b"".join(prog))
    fprog = struct.pack("HxxxxxxQ", len(prog), ctypes.addressof(buffer))
    _check(_libc.prctl(_PR_SET_SECCOMP, ctypes.c_ulong(_SECCOMP_MODE_FILTER), ctypes.c_char_p(fprog), 0, 0),
           "seccomp")


# -- finding out what this kernel offers ------------------------------------------------
def probe(scratch: str) -> Support:
    """Try each layer in a throwaway child (so a half-applied layer harms nothing) and say
    which hold. ``AUTOGRADER_JAIL`` may name the layers to use (``landlock,seccomp``), or be
    ``off`` for none: for debugging, and to test each layer without the others."""
    support = Support()
    wanted = os.environ.get("AUTOGRADER_JAIL", "").lower().replace(" ", "")
    chosen = set(LAYERS) if wanted in ("", "on", "all") else set() if wanted in ("off", "0", "no") \
        else set(wanted.split(",")) & set(LAYERS)
    for layer in set(LAYERS) - chosen:
        support.reasons[layer] = f"AUTOGRADER_JAIL={wanted}"
    if not sys.platform.startswith("linux") or _libc is None:
        support.reasons = {layer: f"not Linux with a C library ({sys.platform})" for layer in LAYERS}
        return support
    abi = landlock_abi()
    tries = {
        "namespaces": Support(namespaces=True),
        "landlock": Support(landlock_abi=abi),
        "seccomp": Support(seccomp=platform.machine() in _ARCH),
    }
    if not abi and "landlock" in chosen:
        support.reasons["landlock"] = "the kernel offers no Landlock (needs Linux >= 5.13 with it enabled)"
    if platform.machine() not in _ARCH and "seccomp" in chosen:
        support.reasons["seccomp"] = f"no filter written for {platform.machine()}"
    tries = {k: v for k, v in tries.items() if k not in support.reasons}
    for layer, alone in tries.items():
        ok, why = _try(alone, scratch)
        if ok:
            support.namespaces |= alone.namespaces
            support.landlock_abi = max(support.landlock_abi, alone.landlock_abi)
            support.seccomp |= alone.seccomp
        else:
            support.reasons[layer] = why
    return support


def _try(support: Support, scratch: str) -> tuple[bool, str]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code = 0
        try:
            _prctl(_PR_SET_PDEATHSIG, 9)
            if support.namespaces:
                _unshare_and_fork()  # the keeper outside closes its copy of the pipe and waits
                _private_mounts(scratch, 1 << 20)
            _drop_privileges()
            if support.landlock_abi:
                _landlock(support.landlock_abi, scratch, None)
            if support.seccomp:
                _seccomp()
                try:
                    os.fork()
                    code = 3  # the filter let a fork through
                except OSError:
                    pass
            os.write(write, b"ok" if code == 0 else b"fork was not refused")
        except BaseException as exc:  # noqa: BLE001 - report any failure to the prober
            try:
                os.write(write, str(exc).encode()[:300] or type(exc).__name__.encode())
            except OSError:
                pass
        os._exit(code)
    os.close(write)
    chunks = []
    while True:
        chunk = os.read(read, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode("utf-8", "replace")
    return text == "ok", text or "the probe died"
