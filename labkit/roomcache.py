"""Results shared by every kernel of one server: what a room computes alike is computed once.

Thirty learners on one server mostly compute the same things: the quality report of the running
example, its default recipe, the comparison of the models on the same rows, columns and settings,
the curves, the explanations, module 01's toys. :func:`shared` wraps such a pure function so that
its result is kept on disk (``joblib.Memory``, shipped with scikit-learn) and handed to the next
kernel that calls it **with the same inputs**:

- the key is a hash (``joblib.hash``, which reads DataFrames and arrays by content) of the
  function's name, of every argument (defaults filled in, so ``f(x)`` and ``f(x, depth=3)`` with
  ``depth=3`` by default share an entry), of the code and message files of ``labkit`` and of the
  versions of the libraries that compute (:func:`fingerprint`), and of the day (a result that
  depends on the date, such as freshness in the quality report, is never served the next day).
  Another table, another setting, another version of Datalab: another key. No learner's name or
  pseudonym is part of any key, and the arguments themselves are not stored, only the results;
- an entry is written to a temporary file and renamed (joblib's concurrency-safe write): two
  kernels writing the same entry at once each write a whole file, and a reader never sees half of
  one. An entry that cannot be read is computed again; a cache that cannot be written is skipped
  (the result is still computed and returned);
- exceptions are never kept, and a result may refuse to be kept (``keep``: a check that ran out of
  time is not handed to others);
- the folder is ``$DATALAB_CACHE``. The server sets it to ``cache/`` inside its workspace root
  (:func:`default_folder`) before its kernels start; when it is unset, empty or ``off`` (tests, a
  notebook opened alone, ``datalab lab``), nothing is cached and every call computes;
- :func:`clean` keeps the folder under :data:`BYTES_LIMIT` (least recently used entries go first)
  and drops entries older than :data:`AGE_LIMIT`; the server runs it at start and every hour.

Each process counts its hits and misses and the seconds spent hashing arguments, loading and
computing, in ``stats/<pid>.json`` under the folder (:func:`room_stats` sums them): the load
benchmark reports them.

A wrapped function's result is a copy (unpickled from its entry) on a hit, and the function's own
return value on a miss, exactly as without the cache: ``tests/test_roomcache.py`` compares them.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import inspect
import json
import os
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ENV = "DATALAB_CACHE"
FOLDER = "cache"  # under the server's workspace root (labkit.workspace.CACHE)
OFF = {"", "0", "off", "non", "no", "false"}
BYTES_LIMIT = 2 * 1024**3
AGE_LIMIT = _dt.timedelta(days=7)
LIBRARIES = ("numpy", "pandas", "scikit-learn", "scipy", "joblib", "pyarrow")
FORMAT = 1  # change to drop every entry of an older layout

_lock = threading.Lock()
_memories: dict[str, Any] = {}
_fingerprint: str | None = None
_stats: dict[str, Any] = {"hits": {}, "misses": {}, "hash": 0.0, "load": 0.0, "compute": 0.0}


class _NotKept(Exception):
    """Raised inside the cached call so that joblib does not keep a result ``keep`` refused."""

    def __init__(self, result: Any):
        super().__init__("result not kept")
        self.result = result


def default_folder(workspace_root: Path | str) -> Path:
    """The cache of the server whose workspace root is ``workspace_root``."""
    return Path(workspace_root) / FOLDER


def folder() -> Path | None:
    """The cache folder of this process (``$DATALAB_CACHE``), or ``None`` when caching is off."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() in OFF:
        return None
    return Path(value).expanduser()


def fingerprint() -> str:
    """A hash of what a result depends on besides its arguments: labkit's code and message files
    and the versions of the libraries that compute. Read once per process, when the first cached
    function is defined (a few milliseconds)."""
    global _fingerprint
    if _fingerprint is None:
        from importlib.metadata import PackageNotFoundError, version

        digest = hashlib.sha256(f"{FORMAT}".encode())
        for package in LIBRARIES:
            try:
                digest.update(f"{package} {version(package)}\n".encode())
            except PackageNotFoundError:
                digest.update(f"{package} absent\n".encode())
        here = Path(__file__).resolve().parent
        files = sorted([*here.rglob("*.py"), *here.rglob("*.yaml")])
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(here)).encode())
            digest.update(path.read_bytes())
        _fingerprint = digest.hexdigest()[:16]
    return _fingerprint


def _memory(location: Path):
    key = str(location)
    with _lock:
        memory = _memories.get(key)
        if memory is None:
            from joblib import Memory

            location.mkdir(parents=True, exist_ok=True, mode=0o700)
            memory = Memory(location=key, verbose=0)
            _memories[key] = memory
        return memory


def _runner(memory, name: str):
    """A joblib-memorized function per wrapped function (its own folder, named after it): its
    only hashed argument is the key computed by :func:`shared`."""
    cache = getattr(memory, "_datalab_runners", None)
    if cache is None:
        cache = memory._datalab_runners = {}
    if name not in cache:

        def run(key: str, compute: Callable[[], Any]) -> Any:
            return compute()

        run.__name__ = run.__qualname__ = name
        run.__module__ = __name__
        cache[name] = memory.cache(run, ignore=["compute"])
    return cache[name]


def _count(kind: str, name: str) -> None:
    counts = _stats[kind]
    counts[name] = counts.get(name, 0) + 1


def _write_stats(location: Path) -> None:
    """Write this process's counts: a small file of its own, replaced atomically."""
    try:
        target = location / "stats"
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = json.dumps({**_stats, "pid": os.getpid(), "role": os.environ.get(ROLE_ENV, "")})
        with tempfile.NamedTemporaryFile(
            "w", dir=target, prefix=".stats-", suffix=".tmp", delete=False
        ) as handle:
            handle.write(data)
        os.replace(handle.name, target / f"{os.getpid()}.json")
    except OSError:
        pass


ROLE_ENV = "DATALAB_CACHE_ROLE"  # "warmup" in the warm-up process (labkit.serve.warmup)


def stats() -> dict[str, Any]:
    """This process's counts: ``hits`` and ``misses`` per function, seconds spent ``hash``-ing
    arguments, ``load``-ing entries and ``compute``-ing misses."""
    return json.loads(json.dumps(_stats))


def flush_stats() -> None:
    location = folder()
    if location is not None:
        _write_stats(location)


def room_stats(location: Path | str) -> list[dict[str, Any]]:
    """The counts of every process that used the cache at ``location``."""
    found = []
    for path in sorted(Path(location).glob("stats/*.json")):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return found


def shared(
    ignore: Iterable[str] = ("progress",),
    keep: Callable[[Any], bool] | None = None,
) -> Callable[[Callable], Callable]:
    """Decorate a pure function so that its results are shared through the server's cache.

    ``ignore``: arguments that do not change the result (a progress callback); a callable
    ``progress`` argument is called once with ``(1.0, "")`` when the result comes from the cache.
    ``keep(result)``: False for a result that must not be handed to other calls."""
    ignore = tuple(ignore)

    def decorate(function: Callable) -> Callable:
        fingerprint()  # read with the code this process runs, not with later edits of the files
        name = f"{function.__module__}.{function.__qualname__}"
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            location = folder()
            if location is None:
                return function(*args, **kwargs)
            import joblib

            started = time.perf_counter()
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = {k: v for k, v in bound.arguments.items() if k not in ignore}
            key = joblib.hash(
                (name, fingerprint(), _dt.date.today().isoformat(), arguments), hash_name="sha1"
            )
            hashed = time.perf_counter()
            _stats["hash"] += hashed - started
            ran: dict[str, float] = {}

            def compute():
                ran["started"] = time.perf_counter()
                result = function(*args, **kwargs)
                ran["seconds"] = time.perf_counter() - ran["started"]
                if keep is not None and not keep(result):
                    raise _NotKept(result)
                return result

            try:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", module=r"joblib(\..*)?$")
                    runner = _runner(_memory(location), name.replace(".", "-"))
                    result = runner(key, compute)
                    if "started" in ran:
                        # Computed here: hand back the copy the other kernels will read, so that
                        # what this caller passes on (a model to explain) hashes as theirs does.
                        result = _reloaded(runner, key, result)
            except _NotKept as refused:
                result = refused.result
            except OSError:
                if "started" in ran:  # the function's own error
                    raise
                try:  # the folder cannot be used: compute without it
                    result = compute()
                except _NotKept as refused:
                    result = refused.result
            if "started" in ran:
                _count("misses", name)
                _stats["compute"] += ran.get("seconds", 0.0)
            else:
                _count("hits", name)
                _stats["load"] += time.perf_counter() - hashed
                for ignored in ignore:
                    callback = bound.arguments.get(ignored)
                    if callable(callback):
                        callback(1.0, "")
            _write_stats(location)
            return result

        wrapper.uncached = function
        return wrapper

    return decorate


class _Missing(Exception):
    pass


def _reloaded(runner, key: str, result: Any) -> Any:
    """The entry just written, read back; ``result`` itself when it could not be written."""

    def missing():
        raise _Missing

    try:
        return runner(key, missing)
    except _Missing:
        return result


def clean(location: Path | str | None = None) -> None:
    """Keep the cache under :data:`BYTES_LIMIT` and drop entries older than :data:`AGE_LIMIT`."""
    location = Path(location) if location is not None else folder()
    if location is None or not location.is_dir():
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"joblib(\..*)?$")
        try:
            _memory(location).reduce_size(bytes_limit=BYTES_LIMIT, age_limit=AGE_LIMIT)
        except OSError:
            pass
