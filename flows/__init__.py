"""Prefect flows: orchestration only (what runs, in what order, in parallel, with what retries)."""
