"""``python -m assistant.interfaces.ui --port 7860``: the web UI alone (no /v1 API)."""

from assistant.interfaces.ui.app import main

if __name__ == "__main__":
    main()
