"""The laptop path's runner tuning (beam_jobs/local_runner.py)."""
from apache_beam.runners.portability.fn_api_runner import worker_handlers

from beam_jobs import local_runner


class _ControlConnection:
    def __init__(self):
        self.closes = 0

    def close(self):  # Beam's: the first call tells the worker "done", later ones do nothing
        self.closes += 1


class _Worker(worker_handlers.GrpcWorkerHandler):
    def __init__(self):  # no gRPC server: only what close_all touches
        self.control_conn = _ControlConnection()


class _Manager:
    def __init__(self, workers):
        self._cached_handlers = {"environment": list(workers)}


def test_every_worker_is_told_before_beam_waits_for_the_first_to_exit(monkeypatch):
    workers = [_Worker(), _Worker()]
    told_when_beam_closed = []

    def beam_close_all(manager):  # closes the workers one by one, waiting for each to exit
        told_when_beam_closed.extend(w.control_conn.closes for w in workers)

    monkeypatch.setattr(local_runner, "_beam_close_all", beam_close_all)
    local_runner._close_all_together(_Manager(workers))
    assert told_when_beam_closed == [1, 1]


def test_a_manager_without_the_handler_table_gets_beams_close_all(monkeypatch):
    calls = []
    monkeypatch.setattr(local_runner, "_beam_close_all", calls.append)
    manager = object()
    local_runner._close_all_together(manager)
    assert calls == [manager]
