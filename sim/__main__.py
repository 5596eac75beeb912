"""``python -m sim`` and the ``parley`` console script: the Parley command line."""

import sys


def main() -> None:
    """Load the command line and run it; Ctrl-C while it loads ends quietly, exit code 130."""
    try:
        from sim.ui.cli import main as run
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
