"""A developer's storage formatted before Kafka had SASL here has no admin credential:
`infra/kafka.sh up` refuses it with instructions instead of starting a broker nobody can log
in to, or wiping it unasked."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from devstack.platform import free_port

ROOT = Path(__file__).resolve().parents[3]


def test_up_refuses_a_storage_formatted_without_sasl(tmp_path: Path) -> None:
    node = tmp_path / "kafka"
    (node / "data").mkdir(parents=True)
    meta = node / "data" / "meta.properties"
    meta.write_text("version=1\ncluster.id=old\nnode.id=1\n")  # what a pre-SASL format left
    env = os.environ | {
        "RIGHTS_STATE_DIR": str(tmp_path),
        "KAFKA_PORT": str(free_port()),
        "KAFKA_CONTROLLER_PORT": str(free_port()),
    }
    done = subprocess.run([str(ROOT / "infra/kafka.sh"), "up"], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert "formatted without SASL" in done.stderr
    assert f"rm -rf {node}" in done.stderr  # says what to do
    assert meta.exists() and not (node / "kafka.pid").exists()  # nothing wiped, nothing started
