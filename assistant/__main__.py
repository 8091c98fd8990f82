"""`python -m assistant …` runs the CLI, as `.venv/bin/assistant …` does."""

from assistant.interfaces.cli.main import app

app(prog_name="assistant")
