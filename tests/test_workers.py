"""Reliability of the workers (issue 14 item 6): systemd restarts web, worker and beat whatever
happens (deploy/systemd/), the Celery settings reconnect to the broker forever, and a real
worker outlives a broker that is down when it starts and one killed under it."""

import os
import shlex
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_production import production_settings

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "deploy" / "systemd"
PREFIX = "/srv/labor-credit"  # where the units expect the checkout (README)


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as {section: {key: [values]}} (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        assert current is not None, f"{path.name}: {line!r} outside a section"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(unit: dict, section: str, key: str) -> str:
    values = unit[section].get(key, [])
    assert len(values) == 1, f"[{section}] {key}: {values}"
    return values[0]


SERVICES = {
    "labor-credit-web.service": ["gunicorn", "config.wsgi"],
    "labor-credit-worker.service": ["celery", "-A", "config", "worker"],
    "labor-credit-beat.service": ["celery", "-A", "config", "beat"],
}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_process_is_supervised_and_always_restarted(name):
    unit = parse_unit(UNITS / name)
    assert one(unit, "Service", "Restart") == "always"
    assert int(one(unit, "Service", "RestartSec")) <= 10
    # Without this, five quick failures (the database or Redis still down) stop the restarts.
    assert one(unit, "Unit", "StartLimitIntervalSec") == "0"
    assert one(unit, "Unit", "PartOf") == "labor-credit.target"
    assert one(unit, "Install", "WantedBy") == "labor-credit.target"
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in unit["Service"]["Environment"]
    assert one(unit, "Service", "EnvironmentFile") == "/etc/labor-credit/env"
    assert one(unit, "Service", "WorkingDirectory") == PREFIX
    assert one(unit, "Service", "User") == "labor-credit"
    argv = shlex.split(one(unit, "Service", "ExecStart"))
    program, *args = SERVICES[name]
    assert argv[0] == f"{PREFIX}/.venv/bin/{program}"
    assert argv[1 : 1 + len(args)] == args
    assert (ROOT / ".venv" / "bin" / program).exists()  # the virtualenv ships the program


def test_the_target_starts_the_three_services():
    target = parse_unit(UNITS / "labor-credit.target")
    wanted = " ".join(target["Unit"]["Wants"]).split()
    assert sorted(wanted) == sorted(SERVICES)
    assert one(target, "Install", "WantedBy") == "multi-user.target"


def test_web_unit_serves_the_wsgi_application_with_readiness():
    unit = parse_unit(UNITS / "labor-credit-web.service")
    assert one(unit, "Service", "Type") == "notify"  # gunicorn tells systemd when it is ready
    argv = shlex.split(one(unit, "Service", "ExecStart"))
    assert "--bind" in argv and argv[argv.index("--bind") + 1].startswith("127.0.0.1:")


def test_beat_keeps_its_schedule_in_the_writable_var_directory():
    unit = parse_unit(UNITS / "labor-credit-beat.service")
    argv = shlex.split(one(unit, "Service", "ExecStart"))
    assert argv[argv.index("--schedule") + 1].startswith(f"{PREFIX}/var/")


def _exec_start(name: str) -> list[str]:
    argv = shlex.split(one(parse_unit(UNITS / name), "Service", "ExecStart"))
    argv[0] = str(ROOT / ".venv" / "bin" / Path(argv[0]).name)
    return [a.replace("%%", "%") for a in argv]


@pytest.mark.parametrize(
    "name", ["labor-credit-worker.service", "labor-credit-beat.service"], ids=["worker", "beat"]
)
def test_celery_accepts_the_units_options(name):
    """Every option of ExecStart exists (click refuses an unknown one before --help)."""
    result = subprocess.run(
        [*_exec_start(name), "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_gunicorn_accepts_the_units_options():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60,
        "LEDGER_HMAC_KEY": "k" * 40,
        "ALLOWED_HOSTS": "credit.example.org",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    result = subprocess.run(
        [*_exec_start("labor-credit-web.service"), "--check-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` with the checkout's path in place of /srv/labor-credit: no
    warning at all (an unknown key or value is only a warning to systemd)."""
    for unit in UNITS.iterdir():
        if unit.suffix in (".service", ".target"):
            (tmp_path / unit.name).write_text(unit.read_text().replace(PREFIX, str(ROOT)))
    names = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), (
        result.stdout + result.stderr
    )


# --- Celery settings ---------------------------------------------------------------------------


def test_celery_reconnects_forever_and_acknowledges_late():
    from config.celery import app

    conf = app.conf
    assert conf.broker_connection_retry is True
    assert conf.broker_connection_retry_on_startup is True
    assert conf.broker_connection_max_retries is None  # never give up
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    options = conf.broker_transport_options
    assert options["visibility_timeout"] >= 2 * 3600  # longer than the longest task
    assert options["socket_keepalive"] is True and options["health_check_interval"] > 0


def test_lost_work_is_found_well_before_fifteen_minutes():
    assert settings.GRADING_STALE_CHUNK_SECONDS <= 120
    assert settings.GRADING_DRIVER_STALE_SECONDS <= 300
    watch = settings.CELERY_BEAT_SCHEDULE["grading-watch-runs"]
    assert watch["task"] == "grading.tasks.watch_runs" and watch["schedule"] <= 60


def test_production_keeps_the_reliability_settings():
    prod = production_settings()
    assert prod["CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP"] is True
    assert prod["CELERY_BROKER_CONNECTION_MAX_RETRIES"] is None
    assert prod["CELERY_TASK_ACKS_LATE"] is True
    assert prod["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"] >= 2 * 3600
    assert int(prod["GRADING_STALE_CHUNK_SECONDS"]) <= 120


# --- a real worker and a broker that goes away ----------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on its own port (never the shared one), keeping nothing."""

    def __init__(self, port: int, directory: Path):
        self.port, self.directory, self.process = port, directory, None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("redis-server did not start")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)


def _wait_for(predicate, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for: {what}")


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_a_real_worker_outlives_the_broker(tmp_path, monkeypatch):
    """The worker is started while Redis is down (it waits instead of exiting), runs a task once
    Redis is up, and survives Redis being killed under it: after Redis is back it runs tasks
    again — with nobody restarting it."""
    from celery import Celery

    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    redis = RedisServer(port, tmp_path)
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
        "REDIS_URL": url,  # the cache too: a worker must start with the cache down as well
        "PYTHONUNBUFFERED": "1",
    }
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration (CI sets
    # it to the shared Redis): the client must talk to the throwaway one.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    # Not the current app: the project's shared tasks must keep their own (eager) app.
    client = Celery("reliability-client", broker=url, backend=url, set_as_current=False)
    client.conf.broker_connection_retry_on_startup = True

    def log_text() -> str:
        return log.read_text(errors="replace")

    def roundtrip(value: int) -> bool:
        result = client.send_task("celery.accumulate", args=(value,))
        # Poll the stored result rather than waiting on the backend's pub/sub, which can miss a
        # result published before it subscribed; a loaded CI machine starts the worker slowly.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            meta = client.backend.get_task_meta(result.id)
            if meta["status"] == "SUCCESS":
                return meta["result"] == [value]  # accumulate returns its arguments
            time.sleep(0.5)
        raise AssertionError(f"task {value} not run within 180 s; worker log:\n{log_text()}")

    with log.open("w") as out:
        worker = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "celery"), "-A", "config", "worker", "--loglevel",
             "INFO", "--concurrency", "1", "--hostname", f"reliability-{port}@%h",
             "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        # 1. Broker down at start: the worker keeps trying instead of exiting.
        _wait_for(
            lambda: "Cannot connect" in log_text() or worker.poll() is not None,
            "the worker retrying at start",
        )
        assert worker.poll() is None, log_text()
        # 2. Broker up: the worker connects and runs a task.
        redis.start()
        assert roundtrip(1)
        # 3. Broker killed under it: the worker notices, stays, and reconnects.
        redis.kill()
        _wait_for(lambda: "Connection to broker lost" in log_text(), "the worker seeing the loss")
        _wait_for(lambda: log_text().count("Cannot connect") >= 2, "the worker retrying")
        assert worker.poll() is None, log_text()
        redis.start()
        assert roundtrip(2)
        assert worker.poll() is None
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)
        redis.kill()
        client.close()
