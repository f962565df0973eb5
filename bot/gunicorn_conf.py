"""Gunicorn settings for the `web` process: `gunicorn -c python:bot.gunicorn_conf 'bot:create_app()'`.

Why each setting (see Heroku's python-getting-started for the same reasoning):
"""

import os
from collections import Counter
from collections.abc import Iterable

# Listen where the platform says (Heroku-style PORT), on every interface inside the container.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# Processes: one per core is the usual start; the operator sets WEB_CONCURRENCY per host size.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# gthread: requests are short (verify, insert, 200) but a worker also runs the event executor's
# threads, so threads beat extra processes for memory; sync workers would block on each request.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# LINE gives up after 2 s; a request that takes 30 s is stuck, so let the arbiter replace the worker.
timeout = 30
# On deploy/restart, let in-flight requests and events finish before a worker is killed. Events
# not finished by then stay pending in the inbox and are picked up by the sweeper.
graceful_timeout = 20
# Behind a load balancer that reuses connections.
keepalive = 5

# One core per worker (WEB_PIN_WORKERS=0 turns it off). A worker is one Python process whose threads
# take turns holding the GIL, handing it over many thousands of times a second; when they sit on
# different cores every hand-over is a cross-core wake-up, which on a virtual machine traps to the
# hypervisor. Pinned, a worker's hand-overs stay on its core and it still has one core's worth of
# Python, all the GIL lets it use anyway. Measured in docs/benchmarks.md (third round). Other
# processes (clock, database) are not pinned; the kernel fits them around the workers.
pin_workers = os.environ.get("WEB_PIN_WORKERS", "1") != "0"


def core_for_new_worker(available: Iterable[int], taken: Iterable[int | None]) -> int | None:
    """The core with the fewest live workers on it (lowest number on a tie); None where there is
    one core or none to choose from, or the platform cannot pin."""
    cores = sorted(available)
    if len(cores) < 2 or not hasattr(os, "sched_setaffinity"):
        return None
    load = Counter(core for core in taken if core in cores)
    return min(cores, key=lambda core: (load[core], core))


def pre_fork(server, worker):
    # In the arbiter: decide the new worker's core from its live siblings' (a restarted worker
    # takes the core its predecessor left).
    if pin_workers and hasattr(os, "sched_getaffinity"):
        siblings = (getattr(w, "ruamjai_core", None) for w in server.WORKERS.values())
        worker.ruamjai_core = core_for_new_worker(os.sched_getaffinity(0), siblings)


def post_fork(server, worker):
    # In the new worker, before it starts any thread (threads inherit the affinity).
    core = getattr(worker, "ruamjai_core", None)
    if core is not None:
        os.sched_setaffinity(0, {core})


# gunicorn 23+ opens a control socket at one fixed path per user; two web processes on one host
# (scale-out, or a restart overlapping the old one) would fight over it. We do not use it.
control_socket_disable = True

# No preload: each worker builds its own engine, pools and executor threads after the fork.
preload_app = False

# Our own one-line-per-request log carries what an operator needs; gunicorn's access log would
# only duplicate it. Errors still go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
