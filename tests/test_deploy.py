"""No Docker engine runs here, so the deployment files are checked for what can break them:
they parse, every process runs this project's own commands, the image is the one we build."""

from __future__ import annotations

import importlib
import json
import re

import yaml

from tests.harness import ROOT
from workers.settings import Settings


def _check_command(command: list[str]) -> None:
    program = command[0]
    assert program in {"uvicorn", "celery", "python"}, command
    if program == "python":
        module = command[command.index("-m") + 1]
        assert importlib.util.find_spec(f"{module}.__main__") is not None, module
        return
    if program == "uvicorn":
        module, _, attr = command[1].partition(":")
        assert callable(getattr(importlib.import_module(module), attr))
        assert "--factory" in command
    else:
        app_module = command[command.index("-A") + 1]
        importlib.util.find_spec(app_module)  # importing it needs REDIS_URL; finding does not
        assert importlib.util.find_spec(app_module) is not None
        if "worker" in command:
            settings = Settings()
            assert command[command.index("-Q") + 1] in {
                settings.pipeline_queue,
                settings.bulk_queue,
            }


def test_compose_file() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"redis", "api", "worker", "bulk-worker", "pollers", "webhooks"} <= set(services)
    redis_cmd = services["redis"]["command"]
    assert "noeviction" in redis_cmd and "--appendonly" in redis_cmd
    for name in ("api", "worker", "bulk-worker", "pollers", "webhooks"):
        service = services[name]
        assert service["image"] == "wiredesk:latest"
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
        _check_command(service["command"])


def test_kubernetes_manifests() -> None:
    docs = list(yaml.safe_load_all((ROOT / "deploy/k8s/wiredesk.yaml").read_text()))
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    assert {"wiredesk-api", "wiredesk-worker", "wiredesk-bulk-worker"} <= set(deployments)
    for deployment in deployments.values():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"] == "wiredesk:latest"
        _check_command(container["command"])
    api = deployments["wiredesk-api"]["spec"]["template"]["spec"]["containers"][0]
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz?workers=false"


def test_dockerfile_runs_as_non_root() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "\nUSER " in dockerfile and "USER root" not in dockerfile
    # The pinned set first, then the project without letting pip pick other versions.
    assert "pip install -r requirements.lock" in dockerfile
    assert "pip install --no-deps ." in dockerfile


# ---- operations: autoscaler, Prometheus, alerts, Grafana -------------------------------------

_METRIC = re.compile(r"\bwiredesk_[a-z_]+\b")


def _known(name: str) -> bool:
    from services.ops.exposition import METRIC_NAMES

    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and name.removesuffix(suffix) in METRIC_NAMES:
            return True
    return name in METRIC_NAMES


def test_keda_scales_the_worker_deployment_on_the_queue_list() -> None:
    from workers.keys import Keys

    docs = list(yaml.safe_load_all((ROOT / "deploy/k8s/autoscaler.yaml").read_text()))
    [scaled] = [d for d in docs if d["kind"] == "ScaledObject"]
    [auth] = [d for d in docs if d["kind"] == "TriggerAuthentication"]
    manifests = list(yaml.safe_load_all((ROOT / "deploy/k8s/wiredesk.yaml").read_text()))
    deployments = {d["metadata"]["name"] for d in manifests if d["kind"] == "Deployment"}
    assert scaled["spec"]["scaleTargetRef"]["name"] in deployments
    [trigger] = scaled["spec"]["triggers"]
    assert trigger["type"] == "redis"
    settings = Settings()
    queue_list = Keys(settings.key_prefix).celery_prefix + settings.pipeline_queue
    assert trigger["metadata"]["listName"] == queue_list
    assert int(trigger["metadata"]["listLength"]) > 0
    assert trigger["authenticationRef"]["name"] == auth["metadata"]["name"]
    assert 1 <= scaled["spec"]["minReplicaCount"] < scaled["spec"]["maxReplicaCount"]


def test_prometheus_scrapes_the_api_and_loads_the_alerts() -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert all(job["metrics_path"] == "/metrics" for job in jobs.values())
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    target = jobs["wiredesk"]["static_configs"][0]["targets"][0]
    host, port = target.split(":")
    assert host == "api" and host in compose["services"]
    assert f"{port}:{port}" in compose["services"]["api"]["ports"]
    mounts = compose["services"]["prometheus"]["volumes"]
    assert any(m.startswith("./deploy/prometheus:") for m in mounts)


def test_alert_rules_use_metrics_that_exist() -> None:
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    [group] = rules["groups"]
    alerts = {rule["alert"]: rule for rule in group["rules"]}
    for name in (
        "WiredeskQueueStalled",
        "WiredeskFeedQuiet",
        "WiredeskQuarantineGrowing",
        "WiredeskConsumerLag",
    ):
        assert name in alerts
    for name, rule in alerts.items():
        used = set(_METRIC.findall(rule["expr"]))
        # The target-down and absent rules read Prometheus' own ``up``, not a wiredesk figure.
        assert used or rule["expr"].startswith(("up{", "absent(up{")), name
        assert all(_known(m) for m in used), (name, used)
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]


def test_grafana_dashboard_uses_metrics_that_exist() -> None:
    dashboard = json.loads((ROOT / "deploy/grafana/wiredesk.json").read_text())
    assert dashboard["uid"] and dashboard["panels"]
    used = set()
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            used |= set(_METRIC.findall(target["expr"]))
    assert used and all(_known(m) for m in used), used
    # Every figure of the issue is on the dashboard.
    for name in (
        "wiredesk_queue_length",
        "wiredesk_items_total",
        "wiredesk_stage_duration_seconds_bucket",
        "wiredesk_end_to_end_seconds_bucket",
        "wiredesk_feed_last_item_timestamp_seconds",
        "wiredesk_stream_lag",
    ):
        assert name in used
