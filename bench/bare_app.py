"""The bare baseline for bench/webhook.py: POST /callback does only what any LINE webhook must.

Read the body, check X-Line-Signature (base64 HMAC-SHA256 of the raw body with the channel secret,
compared in constant time), parse the JSON, answer 200. No database, no logging, no executor.
Served by gunicorn with the product's settings: `gunicorn -c python:bot.gunicorn_conf
--pythonpath bench 'bare_app:create_app()'`, with LINE_CHANNEL_SECRET in the environment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

from flask import Flask, Response, request


def create_app() -> Flask:
    secret = os.environ["LINE_CHANNEL_SECRET"].encode()
    app = Flask(__name__)

    @app.post("/callback")
    def callback() -> Response:
        body = request.get_data(cache=False)
        signature = request.headers.get("X-Line-Signature", "").encode()
        expected = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest())
        if not signature or not hmac.compare_digest(expected, signature):
            return Response(status=400)
        try:
            json.loads(body)
        except ValueError:
            return Response(status=400)
        return Response(status=200)

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok", status=200)

    return app
