"""A web worker loads what a photo needs when it starts, not inside a coordinator's turn."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

CHILD = """
import sys
from bot import create_app
from bot.settings import Settings

assert "imagehash" not in sys.modules, "imported before the app was made"
settings = Settings.from_env()
app = create_app(settings)
loaded = "imagehash" in sys.modules and "scipy.fft" in sys.modules
from bot.runtime import runtime
runtime(app).close()
print("loaded" if loaded else "not loaded")
"""


def test_the_app_factory_imports_the_photo_hash_before_any_request(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LINE_CHANNEL_SECRET": "s",
        "LINE_CHANNEL_ACCESS_TOKEN": "t",
        "SECRET_KEY": "k",
        "RUAMJAI_INSTANCE": str(tmp_path),
        "LINE_API_BASE_URL": "http://127.0.0.1:9",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "loaded"
