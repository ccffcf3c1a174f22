"""pantau's SQL models, shipped as package data: core/, indicators/, views/, queries/."""

from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent
