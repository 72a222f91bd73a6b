"""Process memory for local and cloud runs: hands the heap's freed pages back to the system,
runs Python's cycle collector less often, and skips its pass over the heap when a process
exits.

Every stage of this job frees most of what it allocates (a bundle's rows, a group's block
entries, the dedupe decisions once split), but glibc keeps freed heap pages mapped, so a
process's resident memory only grows. On the 100k bench a worker held 551 MiB before the
stage that applies the dedupe decisions, of which one malloc_trim gave back 112; the runner,
which holds every PCollection between stages, grows the same way. A daemon thread per
process calls malloc_trim every TRIM_SECONDS, which returns the free pages in the middle of
the heap too: ~0.2 ms a call when little was freed, ~7 ms when it hands back 65 MiB. On the
100k job the peak fell from ~1,650 to ~1,440 MiB with a trim every second; every quarter
second, and with the dedupe decisions no longer cached in a worker, `make bench` measured
1,250-1,310 MiB. Not glibc (macOS, musl): nothing to do.

At exit, Python runs its cycle collector over every object still alive, only to free memory
the system takes back anyway, and each process of a local run pays for it as it ends: a
process that has imported Beam takes 0.45-0.64 s of CPU to exit (0.02 s through os._exit), a
worker with its heap ~0.8 s. Frozen objects are left out of that pass (0.3-0.5 s less); atexit
handlers and the modules' own clean-up still run.

The cycle collector's default thresholds (700, 10, 10) suit a program whose objects die young;
a worker of this job keeps tens of thousands alive for a while (the batches waiting for a
shuffle, a run of 128 postings between stages), so the youngest generation fills up every few
postings and whatever is alive then is scanned again and again as it ages, up to full passes
over the ~200,000 objects of Beam's modules and the stages' tables (130-180 ms each). On the
100k bench a worker spent 4.2-4.9 s of CPU in the collector, 13 full passes; with a first
threshold of GEN0_THRESHOLD, 0.7-0.9 s and no full pass after set-up, at the same peak
memory. The per-posting path makes no reference cycles (10k postings read, parsed, enriched
and signed with the collector off left no cyclic garbage), and what Beam makes is still
collected, a little later.

Who calls `prepare_process`: the job's own process on local runs (the runner), and on every
worker the setup of the location and skills stages (before the gazetteer and the automaton
are built), of the shuffle batches and of the writers, so that a worker running any part of
the job is prepared, on the DirectRunner and on Dataflow alike; later calls do nothing.
"""
from __future__ import annotations

import atexit
import ctypes
import gc
import threading
import time

TRIM_SECONDS = 0.25
# Allocations (less deallocations) of container objects between two passes over the youngest
# generation; the older generations keep their defaults relative to it.
GEN0_THRESHOLD = 50_000

_lock = threading.Lock()
_started = False
_exit_prepared = False
_collector_tuned = False


def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _trim_forever(trim, period: float) -> None:
    while True:
        time.sleep(period)
        trim(0)


def start_heap_trimmer(period: float = TRIM_SECONDS) -> bool:
    """Starts the process's trimming thread once (later calls do nothing); False when the
    C library has no malloc_trim."""
    global _started
    with _lock:
        if _started:
            return True
        trim = _malloc_trim()
        if trim is None:
            return False
        threading.Thread(target=_trim_forever, args=(trim, period), name="heap-trimmer",
                         daemon=True).start()
        _started = True
        return True


def skip_final_collection() -> None:
    """Once per process: objects alive at exit are frozen, out of the collector's last pass."""
    global _exit_prepared
    with _lock:
        if not _exit_prepared:
            atexit.register(gc.freeze)
            _exit_prepared = True


def collect_cycles_less_often() -> None:
    """Once per process: the cycle collector's first threshold raised to GEN0_THRESHOLD."""
    global _collector_tuned
    with _lock:
        if not _collector_tuned:
            _, older, oldest = gc.get_threshold()
            gc.set_threshold(GEN0_THRESHOLD, older, oldest)
            _collector_tuned = True


def prepare_process() -> None:
    """The heap trimmer, the collector's thresholds and the quick exit, once per process."""
    start_heap_trimmer()
    collect_cycles_less_often()
    skip_final_collection()
