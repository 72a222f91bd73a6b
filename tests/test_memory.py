"""The heap trimmer: freed heap pages go back to the system while live data stays."""
import os
import threading
import time

import pytest

from transforms import memory

glibc = pytest.mark.skipif(memory._malloc_trim() is None, reason="needs glibc's malloc_trim")


def resident_mib() -> float:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@glibc
def test_the_trimmer_returns_the_holes_of_a_fragmented_heap():
    # 4 kB values live in glibc's heap (pymalloc takes only <= 512 bytes); keeping every 16th
    # leaves 60 kB holes between live values, as rows decoded and dropped by a stage do.
    before = resident_mib()
    values = [bytes(4096) for _ in range(40_000)]
    allocated = resident_mib() - before
    kept = values[::16]
    del values
    assert memory.start_heap_trimmer() is True
    deadline = time.monotonic() + 5 * memory.TRIM_SECONDS
    while resident_mib() - before > 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert allocated > 140
    assert resident_mib() - before < 40  # the 2,500 kept values and their pages: ~10 MiB
    assert len(kept) == 2500 and kept[-1] == bytes(4096)


def test_one_trimming_thread_per_process(monkeypatch):
    calls, three_calls = [], threading.Event()

    def trim(pad):
        calls.append(pad)
        if len(calls) == 3:
            three_calls.set()
            threading.Event().wait()  # this test's thread sleeps from here on (a daemon)

    monkeypatch.setattr(memory, "_started", False)
    monkeypatch.setattr(memory, "_malloc_trim", lambda: trim)
    before = {t.ident for t in threading.enumerate()}
    assert memory.start_heap_trimmer(period=0.01) is True
    assert memory.start_heap_trimmer(period=0.01) is True
    started = [t for t in threading.enumerate() if t.ident not in before]
    assert [(t.name, t.daemon) for t in started] == [("heap-trimmer", True)]
    assert three_calls.wait(timeout=5)
    assert calls == [0, 0, 0]


def test_no_malloc_trim_no_thread(monkeypatch):
    monkeypatch.setattr(memory, "_started", False)
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    assert memory.start_heap_trimmer() is False
    assert memory._started is False


def test_a_prepared_process_freezes_its_objects_at_exit():
    # atexit runs handlers last-registered first: the probe, registered before, sees the freeze.
    import subprocess
    import sys
    script = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "from transforms import memory\n"
        "{call}\n")
    outputs = []
    for call in ("memory.prepare_process(); memory.prepare_process()", "pass"):
        done = subprocess.run([sys.executable, "-c", script.format(call=call)],
                              capture_output=True, text=True, timeout=60,
                              cwd=os.path.dirname(os.path.dirname(memory.__file__)))
        outputs.append(done.stdout.strip())
    assert outputs == ["frozen at exit: True", "frozen at exit: False"]


def test_a_prepared_process_collects_cycles_less_often():
    import ast
    import subprocess
    import sys
    script = (
        "import gc\n"
        "from transforms import memory\n"
        "seen = [gc.get_threshold()]\n"
        "memory.prepare_process()\n"
        "seen.append(gc.get_threshold())\n"
        "gc.set_threshold(900, 10, 10)\n"
        "memory.prepare_process()\n"
        "print(seen + [gc.get_threshold()])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=os.path.dirname(os.path.dirname(memory.__file__)))
    default, prepared, later = ast.literal_eval(done.stdout.strip())
    assert default[1:] == (10, 10)  # CPython 3.11: (700, 10, 10); the first value varies
    assert prepared == (50_000,) + default[1:]
    # Raised once per process: a later call leaves a threshold set since alone.
    assert later == (900, 10, 10)
