"""``python -m sim``: the Parley command line."""

from sim.ui.cli import main

if __name__ == "__main__":
    main()
