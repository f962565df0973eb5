"""The README's run command: `ruamjai demo` serves /healthz and answers a signed follow event."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
import urllib3

from handlers.catalog import t
from tests.helpers import free_port, wait_for


@pytest.mark.parametrize("specs", ["beside the checkout", "missing"])
def test_demo_serves_health_and_answers_a_follow(tmp_path, specs):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "DATABASE_URL", "SECRET_KEY"))}
    env.update(RUAMJAI_INSTANCE=str(tmp_path / "instance"), PORT=str(port))
    if specs == "missing":  # a clone somewhere without LINE's OpenAPI files beside it
        (tmp_path / "no-specs").mkdir()
        env["LINE_OPENAPI_DIR"] = str(tmp_path / "no-specs")
    log = open(tmp_path / "demo.log", "wb")
    demo = subprocess.Popen([sys.executable, "-m", "bot.cli", "demo"], env=env, stdout=log, stderr=log)
    try:
        http = urllib3.PoolManager()

        def healthy():
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()
            try:
                return http.request("GET", f"http://127.0.0.1:{port}/healthz", retries=False).status == 200
            except urllib3.exceptions.HTTPError:
                return False

        wait_for(healthy, timeout=30, interval=0.1)
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "send-demo-event", "follow"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "webhook answered 200" in result.stdout
        assert t("welcome.greeting", "th") in result.stdout
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=20)
        log.close()
    assert demo.returncode == 0
    output = (tmp_path / "demo.log").read_text()
    assert "Traceback" not in output
    assert ("without checking" in output) == (specs == "missing")
