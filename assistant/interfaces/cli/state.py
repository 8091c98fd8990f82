"""The CLI's settings, read from the environment once per process.

Settings are built at the edge and passed down; nothing below `interfaces` reads the
environment. Tests replace `state.settings` to point a command at a temporary data folder.
"""

from assistant.config import Settings

settings = Settings()
