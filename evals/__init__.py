"""Gold sets (YAML) for `assistant eval`; `python -m evals [retrieval|checker|answers|all]` runs them."""
