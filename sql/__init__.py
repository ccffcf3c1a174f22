"""pantau's SQL models, shipped as package data: core/, indicators/, views/, queries/, migrations/.

The build (models/transform.py) runs core/, then indicators/, then views/, each in file-name
order, one object per file where that reads well. Each file's comment header ends with the lines
of the dependency graph and the data tests, about the whole file:

    -- creates: core.bids                  what it makes (a view file: its ``-- view NAME:``)
    -- depends: core.isb_bids, core.squash  every object it reads: tables, views, macros
    -- fills: core.cardinal_results        tables of earlier files it appends to
    -- test unique: core.bids(source, source_id, participant_id)   (models/datatests.py)

tests/test_sql_graph.py checks them against the build order and the SQL text;
tests/test_datatests.py runs the tests after a build. migrations/NNN_name.sql (or .py) change
an existing warehouse once each, in version order (models/db.py ``migrate``).
"""

from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent
