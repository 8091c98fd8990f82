"""The API's routes, one module-level `router` per group; app.py includes them (those under
/v1 behind the API keys and rate limits)."""
