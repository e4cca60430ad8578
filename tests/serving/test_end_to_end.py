"""One end-to-end run: a real `penataan serve` process, called over HTTP like an HR tool."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import pytest

from features.data import HRData
from penataan.local_servers import free_port, running
from serving.keys import KeyStore

# A real process or a whole notebook: `make test` runs it, `make test-fast` skips it.
pytestmark = pytest.mark.slow


def test_penataan_serve_answers_over_http(
    registry_uri: str, world_dir: Path, hr_data: HRData, tmp_path: Path
) -> None:
    keys_file = tmp_path / "keys.json"
    key = KeyStore(keys_file).create("hr", "e2e")
    port = free_port()
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": registry_uri,
        "PENATAAN_API_KEYS_FILE": str(keys_file),
        "PENATAAN_AUDIT_DB": str(tmp_path / "audit.db"),
        "PENATAAN_DECISIONS_DB": str(tmp_path / "decisions.db"),  # never the checkout's own
    }
    cli = Path(sys.executable).parent / "penataan"
    command = [str(cli), "serve", "--data", str(world_dir), "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with running(command, env, f"{base}/ready", tmp_path / "serve.log", timeout=90):
        nip = str(hr_data.active_nips().iloc[0])
        response = httpx.post(
            f"{base}/v1/recommend", json={"nip": nip, "top_k": 3}, headers={"X-API-Key": key}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["nip"] == nip and body["model"]["version"] == "1" and body["suggestions"]
        assert httpx.post(f"{base}/v1/recommend", json={"nip": nip}).status_code == 401
        assert 'endpoint="/v1/recommend"' in httpx.get(f"{base}/metrics").text
        leaked = httpx.get(f"{base}/v1/model?api_key=pnt_LEAKED", timeout=10)
        assert leaked.status_code == 401  # keys travel in the header only
    log_text = (tmp_path / "serve.log").read_text()
    assert "Application startup complete" in log_text and "api_key=***" in log_text
    assert "pnt_LEAKED" not in log_text
    # `running` polled /ready until it answered; the probes leave no access line
    assert '"POST /v1/recommend HTTP/1.1" 200' in log_text and "GET /ready" not in log_text
