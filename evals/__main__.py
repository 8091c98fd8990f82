"""`python -m evals [which]`: the same as `assistant eval [which]`."""

import sys

from assistant.interfaces.cli.main import app

if __name__ == "__main__":
    sys.exit(app(["eval", *sys.argv[1:]]))
