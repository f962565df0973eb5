"""Gunicorn settings for the `web` process: `gunicorn -c python:bot.gunicorn_conf 'bot:create_app()'`.

Why each setting (see Heroku's python-getting-started for the same reasoning):
"""

import os

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
