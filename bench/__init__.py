"""Throughput, latency and growth of the local host, measured against the floor of the same stack."""
