"""The README's run command: `ruamjai demo` serves /healthz, answers a signed follow event, serves
the LINE simulator, and starts again with its data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime

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

        wait_for(healthy, timeout=60, interval=0.1)
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
        assert http.request("GET", f"http://127.0.0.1:{port}/simulator", retries=False).status == 200
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=20)
        log.close()
    assert demo.returncode == 0
    output = (tmp_path / "demo.log").read_text()
    assert "Traceback" not in output
    assert ("without checking" in output) == (specs == "missing")
    assert f"LINE simulator: http://127.0.0.1:{port}/simulator" in output
    assert f"Staff web: http://127.0.0.1:{port}/staff/sign-in" in output
    assert "outbox" in next(line for line in output.splitlines() if line.startswith("Clock jobs: "))
    assert "Rich-menu sync failed" not in output


class Demo:
    """`ruamjai demo` in a child process, on a given instance folder and port."""

    def __init__(self, instance, port: int, log_path) -> None:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "DATABASE_URL", "SECRET_KEY"))
        }
        env.update(RUAMJAI_INSTANCE=str(instance), PORT=str(port))
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "demo"], env=env, stdout=self.log, stderr=self.log
        )
        self.http = urllib3.PoolManager()
        wait_for(self._up, timeout=60, interval=0.1)

    def _up(self) -> bool:
        assert self.process.poll() is None, self.log_path.read_text()
        try:
            return self.request("GET", "/simulator/api/clock").status == 200
        except urllib3.exceptions.HTTPError:
            return False

    def request(self, method: str, path: str, payload=None):
        return self.http.request(method, self.url + path, json=payload, retries=False, timeout=10)

    def json(self, method: str, path: str, payload=None):
        response = self.request(method, path, payload)
        assert response.status in (200, 201), response.data
        return response.json()

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code


def test_the_demo_starts_again_with_its_data_and_its_clock(tmp_path):
    port = free_port()
    demo = Demo(tmp_path / "instance", port, tmp_path / "demo.log")
    try:
        user_id = demo.json("POST", "/simulator/api/users", {"display_name": "สมใจ", "language": "th"})[
            "user_id"
        ]
        demo.json("POST", f"/simulator/api/users/{user_id}/follow")

        def bot_said() -> list[str]:
            entries = demo.json("GET", f"/simulator/api/users/{user_id}/chat")["entries"]
            return [e["message"]["text"] for e in entries if e["from"] == "bot"]

        assert wait_for(bot_said)[0] == t("welcome.greeting", "th")
        demo.json("POST", f"/simulator/api/users/{user_id}/text", {"text": "ตั้งค่า"})
        wait_for(lambda: len(bot_said()) == 3)
        before = demo.json("GET", "/simulator/api/clock")["now"]
        known = [(u["user_id"], u["followed"]) for u in demo.json("GET", "/simulator/api/users")["users"]]
        assert (user_id, True) in known and len(known) > 1  # the example agencies' coordinators too
        demo.json("POST", "/simulator/api/clock/advance", {"seconds": 2 * 3600})
    finally:
        assert demo.stop() == 0  # SIGTERM stops it cleanly
    demo = Demo(tmp_path / "instance", port, tmp_path / "demo.log")
    try:
        users = demo.json("GET", "/simulator/api/users")["users"]
        assert [(u["user_id"], u["followed"]) for u in users] == known  # the same people, none again
        # Two hours ahead still (within a minute of the restart).
        lead = datetime.fromisoformat(
            demo.json("GET", "/simulator/api/clock")["now"]
        ) - datetime.fromisoformat(before)
        assert 2 * 3600 <= lead.total_seconds() < 2 * 3600 + 60
        # The conversation kept in the database carries on: "ตั้งค่า" was asked before the restart.
        demo.json("POST", f"/simulator/api/users/{user_id}/text", {"text": "จังหวัด"})
        wait_for(lambda: bot_said())
        assert t("prefs.ask_province", "th") in bot_said()[-1]
    finally:
        assert demo.stop() == 0
    output = (tmp_path / "demo.log").read_text()
    assert "Traceback" not in output
    assert output.count("Ruamjai demo stopped.") == 2
