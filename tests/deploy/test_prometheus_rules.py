"""The alert rules and the Prometheus configuration, checked by Prometheus' own promtool:
``check rules``, ``check config``, and ``test rules`` over deploy/prometheus/tests/, whose
cases make each rule fire and stay quiet. The rules' old defects are put back one at a time
to show the cases catch them.

promtool comes with Debian's ``prometheus`` package. ``.ci/run`` installs it; here, when it is
not on PATH and this runs as root with apt-get, it is installed the same way. Only where it
cannot be had at all are these tests skipped, with a warning, and with
WIREDESK_REQUIRE_PROMTOOL=1 (as ``.ci/run`` sets) they fail instead.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
import yaml

from tests.harness import ROOT

PROMETHEUS = ROOT / "deploy" / "prometheus"
RULES = PROMETHEUS / "alerts.yml"
CONFIG = PROMETHEUS / "prometheus.yml"
RULE_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))


@functools.cache
def _find_or_install_promtool() -> str | None:
    found = shutil.which("promtool")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "prometheus"]
    for step in ([install], [["apt-get", "update"], install]):  # a fresh machine has no lists
        if all(
            subprocess.run(cmd, env=env, capture_output=True, timeout=900).returncode == 0
            for cmd in step
        ):
            break
    return shutil.which("promtool")


@pytest.fixture(scope="module")
def promtool() -> str:
    found = _find_or_install_promtool()
    if found:
        return found
    why = (
        "promtool NOT FOUND and could not be installed: the alert rules are NOT tested. "
        "Install Debian's `prometheus` package (apt-get install prometheus) or put promtool "
        "on PATH."
    )
    if os.environ.get("WIREDESK_REQUIRE_PROMTOOL") == "1":
        pytest.fail(why)
    warnings.warn(why, stacklevel=1)
    pytest.skip(why)


def _run(*args: str | Path, cwd: Path = PROMETHEUS) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _alerts(rules_file: Path = RULES) -> dict[str, dict]:
    groups = yaml.safe_load(rules_file.read_text())["groups"]
    return {rule["alert"]: rule for group in groups for rule in group["rules"]}


def test_the_rules_load(promtool: str) -> None:
    done = _run(promtool, "check", "rules", RULES)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(_alerts())} rules found" in done.stdout


def test_the_configuration_loads(promtool: str, tmp_path: Path) -> None:
    done = _run(promtool, "check", "config", CONFIG)
    output = done.stdout + done.stderr
    if "field kubernetes_sd_configs not found" in output:
        # Debian builds Prometheus without Kubernetes discovery, so its promtool refuses the
        # k8s job's discovery block. Check everything else (the rule files, the compose job,
        # the k8s job's relabelling) with that block swapped for a static target.
        config = yaml.safe_load(CONFIG.read_text())
        [k8s] = [job for job in config["scrape_configs"] if "kubernetes_sd_configs" in job]
        assert k8s["kubernetes_sd_configs"] == [{"role": "service"}]
        k8s.pop("kubernetes_sd_configs")
        k8s["static_configs"] = [{"targets": ["wiredesk-api:8000"]}]
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
        shutil.copy(RULES, tmp_path / "alerts.yml")
        done = _run(promtool, "check", "config", tmp_path / "prometheus.yml", cwd=tmp_path)
        output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "SUCCESS" in output and "alerts.yml" in output


def test_every_rule_fires_and_stays_quiet_as_its_cases_say(promtool: str) -> None:
    assert RULE_TESTS, "no promtool test files in deploy/prometheus/tests"
    done = _run(promtool, "test", "rules", *RULE_TESTS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_every_rule_has_a_firing_and_a_quiet_case() -> None:
    firing: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS:
        doc = yaml.safe_load(path.read_text())
        assert doc["rule_files"] == ["../alerts.yml"], path
        for case in doc["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    rules = set(_alerts())
    assert rules - firing == set(), "rules never shown firing"
    assert rules - quiet == set(), "rules never shown quiet"
    assert (firing | quiet) - rules == set(), "cases for rules that do not exist"


def test_the_rules_say_what_ops_can_do() -> None:
    alerts = _alerts()
    for name, rule in alerts.items():
        assert rule["labels"]["severity"] in {"warning", "critical"}, name
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], name
    # Something can clear a large quarantine: replay, or the discard the CLI has.
    large = alerts["WiredeskQuarantineLarge"]["annotations"]["description"]
    assert "wiredesk ops replay" in large and "wiredesk quarantine discard" in large
    # A silent scrape is an alert of its own, since it silences the others.
    assert alerts["WiredeskTargetDown"]["expr"].startswith("up{")
    assert alerts["WiredeskTargetAbsent"]["expr"].startswith("absent(up{")
    assert 'path="single"' in alerts["WiredeskSlowPipeline"]["expr"]


# The rules as they were, each of which the cases must catch (None: there was no such rule).
_DEFECTS: dict[str, str | None] = {
    # p95 over every path: a replay timed from its first receipt fires it.
    "WiredeskSlowPipeline": (
        "histogram_quantile(0.95, sum by (le) (rate(wiredesk_end_to_end_seconds_bucket[10m]))) > 60"
    ),
    # increase() over the trimmed dead-letter stream's length: quiet once it is full.
    "WiredeskConsumerDeadLetters": "increase(wiredesk_stream_dead_letters[1h]) > 0",
    # No rule on the scrape: a Redis outage (/metrics answers 503) silenced every alert.
    "WiredeskTargetDown": None,
    "WiredeskTargetAbsent": None,
}


@pytest.mark.parametrize("alert", sorted(_DEFECTS))
def test_the_cases_catch_the_rule_as_it_was(promtool: str, tmp_path: Path, alert: str) -> None:
    doc = yaml.safe_load(RULES.read_text())
    [group] = doc["groups"]
    [rule] = [r for r in group["rules"] if r["alert"] == alert]
    old = _DEFECTS[alert]
    if old is None:
        group["rules"].remove(rule)
    else:
        rule["expr"] = old
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(doc))
    (tmp_path / "tests").mkdir()
    for path in RULE_TESTS:
        shutil.copy(path, tmp_path / "tests" / path.name)
    assert _run(promtool, "check", "rules", tmp_path / "alerts.yml").returncode == 0
    done = _run(promtool, "test", "rules", *sorted((tmp_path / "tests").glob("*.yml")))
    assert done.returncode != 0, f"the cases did not notice the old {alert}"
    assert f"alertname: {alert}," in done.stdout + done.stderr


def test_the_scrape_rules_name_every_wiredesk_job() -> None:
    config = yaml.safe_load(CONFIG.read_text())
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    alerts = _alerts()
    for name in ("WiredeskTargetDown", "WiredeskTargetAbsent"):
        [pattern] = re.findall(r'job=~"([^"]+)"', alerts[name]["expr"])
        assert set(pattern.split("|")) == jobs, name
