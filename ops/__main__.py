"""`python -m ops <command>`: the operations commands (`migrate` on this branch)."""

from __future__ import annotations

import argparse
import sys

from ops import migrate_cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops", description="Operate a title from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    migrate_cli.add_arguments(
        commands.add_parser("migrate", help="copy a title out of PlayFab through its public API into the target")
    )
    args = parser.parse_args(argv)
    return migrate_cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
