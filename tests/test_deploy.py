"""No Docker engine runs here, so the deployment files are checked for what can break them:
they parse, every process runs this project's own commands, the image is the one we build."""

from __future__ import annotations

import importlib

import yaml

from tests.harness import ROOT
from workers.settings import Settings


def _check_command(command: list[str]) -> None:
    program = command[0]
    assert program in {"uvicorn", "celery"}, command
    if program == "uvicorn":
        module, _, attr = command[1].partition(":")
        assert callable(getattr(importlib.import_module(module), attr))
        assert "--factory" in command
    else:
        app_module = command[command.index("-A") + 1]
        importlib.util.find_spec(app_module)  # importing it needs REDIS_URL; finding does not
        assert importlib.util.find_spec(app_module) is not None
        if "worker" in command:
            assert command[command.index("-Q") + 1] == Settings().pipeline_queue


def test_compose_file() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"redis", "api", "worker"} <= set(services)
    redis_cmd = services["redis"]["command"]
    assert "noeviction" in redis_cmd and "--appendonly" in redis_cmd
    for name in ("api", "worker"):
        service = services[name]
        assert service["image"] == "wiredesk:latest"
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
        _check_command(service["command"])


def test_kubernetes_manifests() -> None:
    docs = list(yaml.safe_load_all((ROOT / "deploy/k8s/wiredesk.yaml").read_text()))
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    assert {"wiredesk-api", "wiredesk-worker"} <= set(deployments)
    for deployment in deployments.values():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"] == "wiredesk:latest"
        _check_command(container["command"])
    api = deployments["wiredesk-api"]["spec"]["template"]["spec"]["containers"][0]
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"


def test_dockerfile_runs_as_non_root() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "\nUSER " in dockerfile and "USER root" not in dockerfile
    assert "pip install ." in dockerfile
