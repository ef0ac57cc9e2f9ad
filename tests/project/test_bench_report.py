"""bench/README.md's "Latest run" is the committed latest.json rendered by bench/report.py, never a hand copy."""

import json
import shutil

import pytest

from bench import report


def test_the_committed_latest_run_is_what_latest_json_renders(tmp_path):
    readme = tmp_path / "README.md"
    shutil.copy(report.README, readme)
    results = json.loads((report.README.parent / "results" / "latest.json").read_text(encoding="utf-8"))
    report.publish(results, readme)
    assert readme.read_text(encoding="utf-8") == report.README.read_text(encoding="utf-8"), (
        "bench/README.md differs from bench/results/latest.json: run `python -m bench.report`"
    )


def test_publish_rewrites_only_between_its_lines_and_the_same_twice(tmp_path):
    results = json.loads((report.README.parent / "results" / "latest.json").read_text(encoding="utf-8"))
    readme = tmp_path / "README.md"
    readme.write_text(f"# Before\n\n{report.BEGIN}\nold figures\n{report.END}\n\n## After\n", encoding="utf-8")
    report.publish(results, readme)
    once = readme.read_text(encoding="utf-8")
    assert once.startswith(f"# Before\n\n{report.BEGIN}\n\nRun of {results['generated'][:10]}")
    assert once.endswith(f"{report.END}\n\n## After\n") and "old figures" not in once
    assert report.table(results) in once
    report.publish(results, readme)
    assert readme.read_text(encoding="utf-8") == once


def test_publish_refuses_a_readme_without_its_lines(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lacks the lines"):
        report.publish({}, readme)
    assert readme.read_text(encoding="utf-8") == "# Benchmarks\n"
