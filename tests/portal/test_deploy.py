"""deploy/: the systemd units for the web processes and the task workers are valid units."""

import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ROOT = DEPLOY.parent


def installed(tmp_path: Path) -> Path:
    """The units as an operator installs them, with this checkout for /srv/gemba."""
    for unit in ("gemba-web.service", "gemba-worker@.service", "gemba.target"):
        text = (DEPLOY / unit).read_text()
        text = text.replace("/srv/gemba", str(ROOT)).replace(
            "/etc/gemba/gemba.env", str(DEPLOY / "gemba.env.example")
        )
        (tmp_path / unit).write_text(text)
    for n in (1, 2):  # the instances gemba.target wants
        shutil.copy(tmp_path / "gemba-worker@.service", tmp_path / f"gemba-worker@{n}.service")
    return tmp_path


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_units_pass_systemd_analyze_verify(tmp_path):
    folder = installed(tmp_path)
    result = subprocess.run(
        ["systemd-analyze", "verify", "gemba-web.service", "gemba-worker@1.service", "gemba.target"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == "", result.stdout + result.stderr


def test_the_worker_unit_runs_the_worker_command_and_lets_a_task_finish():
    unit = (DEPLOY / "gemba-worker@.service").read_text()
    assert "ExecStart=/srv/gemba/.venv/bin/python manage.py worker --worker-id %H-%i" in unit
    assert "KillSignal=SIGTERM" in unit and "TimeoutStopSec=300" in unit and "Restart=always" in unit
    assert (ROOT / "portal" / "management" / "commands" / "worker.py").exists()


def test_the_target_starts_the_web_and_two_workers():
    target = (DEPLOY / "gemba.target").read_text()
    assert "Wants=gemba-web.service gemba-worker@1.service gemba-worker@2.service" in target
