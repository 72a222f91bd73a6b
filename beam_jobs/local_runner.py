"""The laptop path of the job (DirectRunner): the runner it uses and how its processes are
tuned. `skill_demand.run` calls `prepare_local_run` and `local_runner` when the runner is
local; Dataflow runs never import Beam's local runner from here.
"""
from __future__ import annotations

import ctypes
import os

from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.portability.api import beam_provision_api_pb2
from apache_beam.runners.portability.fn_api_runner import fn_runner, worker_handlers
from apache_beam.runners.portability.portable_runner import JobServiceHandle

from transforms.memory import prepare_process

MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number


def limit_malloc_arenas() -> None:
    """glibc gives each thread its own heap arena, and the runner's gRPC threads then keep
    freed memory in many of them. Two arenas per process cut the 10k bench's peak from 1,529
    to 1,299 MiB at the same speed. The workers inherit the environment variable; this
    process, already started, is told through mallopt."""
    os.environ.setdefault("MALLOC_ARENA_MAX", str(MALLOC_ARENAS))
    try:
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, int(os.environ["MALLOC_ARENA_MAX"]))
    except (OSError, AttributeError, ValueError):
        pass  # not glibc (macOS, musl): nothing to tune


_beam_close_all = worker_handlers.WorkerHandlerManager.close_all


def _close_all_together(manager: worker_handlers.WorkerHandlerManager) -> None:
    """Beam's close_all, with every worker told first that the job is done. Beam closes the
    workers one after the other, and closing one waits for its process to exit (~0.8 s each:
    Python's shutdown with a worker's heap), so a two-worker run ended ~1.7 s after its last
    bundle. Told together, the workers exit side by side; Beam's close_all then finds them
    gone or going. Closing a control connection twice does nothing, and a manager without
    the handler table this reads (another Beam version) gets Beam's own close_all alone."""
    cached = getattr(manager, "_cached_handlers", None) or {}
    for handler in {handler for handlers in cached.values() for handler in handlers}:
        if isinstance(handler, worker_handlers.GrpcWorkerHandler):
            handler.control_conn.close()  # sends "done", returns once the worker stops work
    _beam_close_all(manager)


def prepare_local_run() -> None:
    """This process runs the local runner, which holds every PCollection between stages."""
    limit_malloc_arenas()
    prepare_process()
    worker_handlers.WorkerHandlerManager.close_all = _close_all_together


def local_runner(options: PipelineOptions) -> fn_runner.FnApiRunner:
    """The DirectRunner's batch engine, chosen explicitly. Beam's DirectRunner first tries
    the Prism runner, whose binary it downloads from GitHub at run time; this job runs
    offline, so the laptop path is the FnApiRunner the DirectRunner falls back to, with the
    same --direct_num_workers / --direct_running_mode options."""
    encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
    return fn_runner.FnApiRunner(provision_info=fn_runner.ExtendedProvisionInfo(
        beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded)))
