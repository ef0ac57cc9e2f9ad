"""Run calls through the official Node SDK (`playfab-sdk`), over HTTPS with a self-signed certificate."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.ci import unavailable
from tests.support.server import REPO, SECRET_KEY, TITLE_ID

SCRIPT = REPO / "tests" / "support" / "node" / "run_calls.js"


def node_or_fail() -> str:
    """Node.js is required; in CI its absence fails the run instead of skipping."""
    node = shutil.which("node")
    if node and (REPO / "node_modules" / "playfab-sdk").is_dir():
        return node
    message = "Node.js and `npm ci` (playfab-sdk) are required for the Node SDK tests"
    unavailable(message)


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def run_node_calls(
    url: str, ca_file: Path, calls: list[dict[str, Any]], secret_key: str | None = SECRET_KEY
) -> list[Any]:
    node = node_or_fail()
    plan = {"url": url, "titleId": TITLE_ID, "secretKey": secret_key, "calls": calls}
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(ca_file)}
    env.pop("NODE_TLS_REJECT_UNAUTHORIZED", None)  # the certificate must really be trusted
    done = subprocess.run(
        [node, str(SCRIPT)], input=json.dumps(plan), capture_output=True, text=True, cwd=REPO, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]
